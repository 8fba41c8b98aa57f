// The threads' steps of the send pipeline: before a reply is stored its root must be a live
// top-level message of the channel; after replies are stored their threads' listings,
// participants and root summaries follow, and each root whose summary changed is announced on
// chat.message.updated.v1.
import { Injectable } from '@nestjs/common';
import { type Message } from '@chat/contracts';
import { EventsPublisher } from '../common/events.publisher';
import { type AfterStoreStep, type BeforeStoreStep, type SendAdditions, type SendRequest } from '../pipeline/send-steps';
import { ThreadsService } from './threads.service';

@Injectable()
export class ThreadRootStep implements BeforeStoreStep {
  readonly name = 'thread-root';

  constructor(private readonly threads: ThreadsService) {}

  async prepare(send: SendRequest): Promise<SendAdditions | undefined> {
    if (send.threadId) await this.threads.requireRoot(send.channelId, send.threadId);
    return undefined;
  }
}

@Injectable()
export class ThreadSummaryStep implements AfterStoreStep {
  readonly name = 'thread-summary';

  constructor(
    private readonly threads: ThreadsService,
    private readonly events: EventsPublisher,
  ) {}

  async apply(messages: readonly Message[]): Promise<void> {
    const replies = messages.filter((m) => m.threadId !== undefined);
    if (replies.length === 0) return;
    const roots = await this.threads.onReplies(replies, messages);
    await Promise.all(roots.map((root) => this.events.messageUpdated(root)));
  }
}
