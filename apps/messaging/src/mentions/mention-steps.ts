// The mentions' steps of the send pipeline: before a message is stored its @names resolve to the
// user ids (and 'channel') it stores; after, the mention ledgers follow from what it stored.
import { Injectable } from '@nestjs/common';
import { type Message } from '@chat/contracts';
import { type AfterStoreStep, type BeforeStoreStep, type SendAdditions, type SendRequest } from '../pipeline/send-steps';
import { MentionLedger } from './mention-ledger';
import { fromStored, MentionsService, storedMentions } from './mentions.service';

@Injectable()
export class ResolveMentionsStep implements BeforeStoreStep {
  readonly name = 'resolve-mentions';

  constructor(private readonly mentions: MentionsService) {}

  async prepare(send: SendRequest): Promise<SendAdditions | undefined> {
    const stored = storedMentions(await this.mentions.resolve(send.text));
    return stored.length > 0 ? { mentions: stored } : undefined;
  }
}

@Injectable()
export class MentionLedgerStep implements AfterStoreStep {
  readonly name = 'mention-ledger';

  constructor(private readonly ledger: MentionLedger) {}

  async apply(messages: readonly Message[]): Promise<void> {
    await Promise.all(
      messages.filter((m) => !m.deleted && m.mentions?.length).map((m) => this.ledger.record(m, fromStored(m.mentions), new Date(m.createdAt))),
    );
  }
}
