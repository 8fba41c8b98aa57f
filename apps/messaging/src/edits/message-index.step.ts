// After-store step: the by-id index (messages_by_id: id -> channel, seq) that edits, deletes,
// reactions, pins and threads locate messages with. A location never changes, so a replay
// rewrites the same cells.
import { Injectable } from '@nestjs/common';
import { type Message } from '@chat/contracts';
import { MessagesRepository } from '../messages/messages.repository';
import { type AfterStoreStep } from '../pipeline/send-steps';

@Injectable()
export class MessageIndexStep implements AfterStoreStep {
  readonly name = 'message-by-id';

  constructor(private readonly messages: MessagesRepository) {}

  async apply(messages: readonly Message[]): Promise<void> {
    await Promise.all(messages.map((m) => this.messages.indexById(m.id, { channelId: m.channelId, seq: m.seq })));
  }
}
