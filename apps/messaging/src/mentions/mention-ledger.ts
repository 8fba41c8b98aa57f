// The live mentions of a message in the unread ledgers: each mentioned user but the sender, and
// @channel for top-level messages (in a thread it notifies nobody extra). Written by the mention
// ledger step for new messages (as of their createdAt) and rewritten by edits and deletes.
import { Injectable } from '@nestjs/common';
import { type Message } from '@chat/contracts';
import { UnreadLedgerRepository } from '../read-state/unread-ledger.repository';
import { type ResolvedMentions } from './mentions.service';

@Injectable()
export class MentionLedger {
  constructor(private readonly ledger: UnreadLedgerRepository) {}

  async record(message: Message, mentions: ResolvedMentions, asOf: Date): Promise<void> {
    const others = mentions.userIds.filter((id) => id !== message.senderId);
    await Promise.all([
      ...others.map((id) => this.ledger.addUserMention(id, message.channelId, message.seq, asOf)),
      mentions.channel && !message.threadId ? this.ledger.addChannelMention(message.channelId, { seq: message.seq, senderId: message.senderId }, asOf) : undefined,
    ]);
  }

  async forget(message: Message, mentions: ResolvedMentions): Promise<void> {
    await Promise.all([
      ...mentions.userIds.map((id) => this.ledger.removeUserMention(id, message.channelId, message.seq)),
      mentions.channel ? this.ledger.removeChannelMention(message.channelId, message.seq) : undefined,
    ]);
  }
}
