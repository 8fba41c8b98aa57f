// The send pipeline's extension points. The pipeline itself (messages/: sequencer and store)
// is the ground floor of messaging; features plug named steps into it from their own modules,
// never the other way round:
//   - a before-store step checks or enriches a send before it gets its seq (a thread's root
//     exists, @names resolve to user ids, attached files are the sender's and ready). It runs
//     after the membership check, holds only its own channel while it waits, and refuses a send
//     by throwing an AppError (the sender's acknowledgement carries its code);
//   - an after-store step derives its own state from stored messages (search index, unread and
//     mention ledgers, thread summaries, the by-id index, file shares). It runs off the hot path,
//     in the store after each flush, may see a message again after a crash (so it must be
//     idempotent), and is retried while its engine is down.
import { Injectable } from '@nestjs/common';
import { type Message, type MessageFile } from '@chat/contracts';

/** A send as the before-store steps see it: the command's payload and its (authorised) sender. */
export interface SendRequest {
  readonly channelId: string;
  readonly senderId: string;
  readonly clientMsgId: string;
  readonly text: string;
  readonly threadId?: string;
  readonly fileIds?: readonly string[];
}

/** What before-store steps add to the stored message. */
export interface SendAdditions {
  mentions?: string[];
  files?: MessageFile[];
}

export interface BeforeStoreStep {
  readonly name: string;
  prepare(send: SendRequest): Promise<SendAdditions | undefined>;
}

export interface AfterStoreStep {
  readonly name: string;
  /** `messages`: stored messages, each channel's in seq order; may repeat messages already applied. */
  apply(messages: readonly Message[]): Promise<void>;
}

/** The registry features add their steps to (in their module's onModuleInit). */
@Injectable()
export class SendSteps {
  private readonly beforeSteps: BeforeStoreStep[] = [];
  private readonly afterSteps: AfterStoreStep[] = [];

  addBefore(step: BeforeStoreStep): void {
    this.beforeSteps.push(step);
  }

  addAfter(step: AfterStoreStep): void {
    this.afterSteps.push(step);
  }

  get before(): readonly BeforeStoreStep[] {
    return this.beforeSteps;
  }

  get after(): readonly AfterStoreStep[] {
    return this.afterSteps;
  }

  /** Runs the before-store steps side by side and merges what they add. */
  async prepare(send: SendRequest): Promise<SendAdditions> {
    const results = await Promise.all(this.beforeSteps.map((step) => step.prepare(send)));
    return Object.assign({}, ...results.filter((r): r is SendAdditions => r !== undefined)) as SendAdditions;
  }
}
