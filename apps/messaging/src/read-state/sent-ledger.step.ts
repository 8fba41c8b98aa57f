// After-store step: the unread ledger of sent messages (a user's own messages are never unread
// to them). Written as of the message's createdAt; a replay rewrites the same cells.
import { Injectable } from '@nestjs/common';
import { type Message } from '@chat/contracts';
import { type AfterStoreStep } from '../pipeline/send-steps';
import { UnreadLedgerRepository } from './unread-ledger.repository';

@Injectable()
export class SentLedgerStep implements AfterStoreStep {
  readonly name = 'sent-ledger';

  constructor(private readonly ledger: UnreadLedgerRepository) {}

  async apply(messages: readonly Message[]): Promise<void> {
    await Promise.all(messages.filter((m) => !m.deleted).map((m) => this.ledger.addSent(m.channelId, m.senderId, m.seq, new Date(m.createdAt))));
  }
}
