// Turns the mentions parsed from a text into what a message stores: the ids of mentioned users
// who exist (unknown @names are plain text) and 'channel' for @channel/@here/@everyone.
import { Injectable } from '@nestjs/common';
import { UsersRepository } from '../users/users.repository';
import { CHANNEL_MENTION, parseMentions } from './mention-parser';

/** At most this many distinct @names of one message are looked up. */
const MAX_MENTIONS = 50;

export interface ResolvedMentions {
  userIds: string[];
  channel: boolean;
}

@Injectable()
export class MentionsService {
  constructor(private readonly users: UsersRepository) {}

  async resolve(text: string): Promise<ResolvedMentions> {
    const parsed = parseMentions(text);
    const found = await Promise.all(parsed.usernames.slice(0, MAX_MENTIONS).map((name) => this.users.byUsername(name)));
    const userIds = [...new Set(found.flatMap((user) => (user ? [user.id] : [])))];
    return { userIds, channel: parsed.channel };
  }
}

/** The stored form: user ids, then 'channel'. */
export function storedMentions(mentions: ResolvedMentions): string[] {
  return [...mentions.userIds, ...(mentions.channel ? [CHANNEL_MENTION] : [])];
}

export function fromStored(stored: readonly string[] | undefined): ResolvedMentions {
  const list = stored ?? [];
  return { userIds: list.filter((m) => m !== CHANNEL_MENTION), channel: list.includes(CHANNEL_MENTION) };
}
