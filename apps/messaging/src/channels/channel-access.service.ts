// Who may see, read and write a channel. Reads never reveal that a channel the caller may not see
// exists: unknown, private-and-not-member and other-workspace channels all answer not_found. Only
// a public channel of one of the caller's workspaces is visible to a non-member, who may join it
// but gets `forbidden` for reading or writing it.
import { Injectable } from '@nestjs/common';
import { type Channel } from '@chat/contracts';
import { AppError } from '@chat/service-kit';
import { WorkspacesRepository } from '../workspaces/workspaces.repository';
import { ChannelMembersRepository } from './channel-members.repository';
import { ChannelsRepository } from './channels.repository';
import { CHANNEL_READ_LIMIT, MemberCache } from './member-cache';

export interface ChannelView {
  channel: Channel;
  member: boolean;
}

@Injectable()
export class ChannelAccess {
  constructor(
    private readonly channels: ChannelsRepository,
    private readonly members: ChannelMembersRepository,
    private readonly workspaces: WorkspacesRepository,
    private readonly cache: MemberCache,
  ) {}

  /** The channel if the user may see it (a member, or public in one of their workspaces); else not_found. */
  async visible(channelId: string, userId: string): Promise<ChannelView> {
    const [channel, member] = await Promise.all([this.channels.get(channelId), this.members.isMember(channelId, userId)]);
    if (channel && member) return { channel, member: true };
    if (channel?.kind === 'public' && (await this.workspaces.role(channel.workspaceId, userId))) return { channel, member: false };
    throw notFound(channelId);
  }

  /**
   * The channel if the user is a member; `forbidden` for a visible public channel, else not_found.
   * A recent "member" answer comes from MemberCache (sends and history pages ask once each); a
   * miss also reads the channel's members, so that the others' next sends find them cached.
   */
  async membership(channelId: string, userId: string): Promise<Channel> {
    const cached = this.cache.get(channelId, userId);
    if (cached) return cached;
    const epoch = this.cache.epoch();
    // The channel's other members too, at most once per TTL (MemberCache): their next sends need no read.
    // Only an optimisation: its failure fails nothing.
    const others = this.cache.claimChannelRead(channelId) ? this.members.someOf(channelId, CHANNEL_READ_LIMIT).catch(() => undefined) : undefined;
    const [view, members] = await Promise.all([this.visible(channelId, userId), others]);
    if (!view.member) throw new AppError('forbidden', `you are not a member of channel ${channelId}; join it first`);
    this.cache.remember(view.channel, userId, epoch);
    if (members) this.cache.rememberChannel(view.channel, members, epoch);
    return view.channel;
  }
}

export function notFound(channelId: string): AppError {
  return new AppError('not_found', `channel ${channelId} not found`);
}
