// Executes one command of chat.channel.command.v1 and answers it. Business refusals (not a member,
// unknown channel, not implemented) become `{ok: false}` replies and the command is done; any
// other error propagates so the consumer retries the command (every step is idempotent) and, when
// the retries are exhausted, parks it in the dead-letter topic (the client's ack then times out).
import { Injectable } from '@nestjs/common';
import { type ChannelCommand, type Message } from '@chat/contracts';
import { TRACE_HEADERS, traceNow } from '@chat/kafka';
import { AppError } from '@chat/service-kit';
import { type CommandResult, EventsPublisher } from '../common/events.publisher';
import { type ChangeOutcome, MessageChanges } from '../edits/message-changes.service';
import { AttachmentsService } from '../files/attachments.service';
import { ReadStateService } from '../read-state/read-state.service';
import { SendMessageService } from './send-message.service';

interface Outcome {
  result: CommandResult;
  /** A message to announce on chat.message.created.v1. */
  created?: Message;
  /** Messages to announce on chat.message.updated.v1, in this order. */
  updated?: Message[];
}

@Injectable()
export class ChannelCommandService {
  constructor(
    private readonly sender: SendMessageService,
    private readonly readState: ReadStateService,
    private readonly events: EventsPublisher,
    private readonly changes: MessageChanges,
    private readonly attachments: AttachmentsService,
  ) {}

  /** `trace`: the command's trace headers, carried on to the event with messaging's own stamps. */
  async handle(command: ChannelCommand, trace: Readonly<Record<string, string>> = {}): Promise<void> {
    const started = traceNow();
    let outcome: Outcome;
    try {
      outcome = await this.execute(command);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      outcome = { result: { ok: false, error: { code: error.code, message: error.message } } };
    }
    // Step 5 of a send: the events and the reply together; the offset is committed after all.
    // Updates go out one by one, in order: a receiver must see them as they were applied.
    const updates = (async () => {
      for (const message of outcome.updated ?? []) await this.events.messageUpdated(message);
    })();
    // Shares first, so that files authorises downloads before members learn of the message.
    if (outcome.created) await this.attachments.announceShares(outcome.created);
    await Promise.all([
      outcome.created
        ? this.events.messageCreated(outcome.created, { ...trace, [TRACE_HEADERS.messagingStarted]: started, [TRACE_HEADERS.messagingStored]: traceNow() })
        : undefined,
      updates,
      command.replyTo ? this.events.reply(command.replyTo, command.commandId, outcome.result) : undefined,
    ]);
  }

  private async execute(command: ChannelCommand): Promise<Outcome> {
    switch (command.type) {
      case 'message.send': {
        const prepared = await this.changes.prepareSend(command);
        const files = await this.attachments.resolve(command.userId, command.payload.fileIds);
        const { message: stored, announce } = await this.sender.send(command, files, prepared.derived);
        if (!announce) return { result: { ok: true, message: stored } };
        // Idempotent writes that do not read each other: one round trip instead of two.
        const [, { message = stored, updated }] = await Promise.all([this.sender.finalize(stored), this.changes.afterSend(stored, prepared.mentions)]);
        return { result: { ok: true, message }, created: message, updated };
      }
      case 'read':
        await this.readState.markRead(command.userId, command.payload.channelId, command.payload.seq);
        return { result: { ok: true } };
      case 'message.edit':
        return withMessage(await this.changes.edit(command));
      case 'message.delete':
        return { result: { ok: true }, updated: (await this.changes.remove(command)).updated };
      case 'reaction.add':
      case 'reaction.remove':
        return { result: { ok: true }, updated: (await this.changes.react(command)).updated };
    }
  }
}

function withMessage(change: ChangeOutcome): Outcome {
  return { result: { ok: true, ...(change.message ? { message: change.message } : {}) }, updated: change.updated };
}
