// Executes one command of chat.channel.command.v1 and answers it. Business refusals (not a member,
// unknown channel, not implemented) become `{ok: false}` replies and the command is done; any
// other error propagates so the consumer retries the command (every step is idempotent) and, when
// the retries are exhausted, parks it in the dead-letter topic (the client's ack then times out).
import { Injectable } from '@nestjs/common';
import { type ChannelCommand, type Message } from '@chat/contracts';
import { TRACE_HEADERS, traceNow } from '@chat/kafka';
import { AppError } from '@chat/service-kit';
import { type CommandResult, EventsPublisher } from '../common/events.publisher';
import { ReadStateService } from '../read-state/read-state.service';
import { SendMessageService } from './send-message.service';

interface Outcome {
  result: CommandResult;
  /** A message to announce on chat.message.created.v1. */
  created?: Message;
}

@Injectable()
export class ChannelCommandService {
  constructor(
    private readonly sender: SendMessageService,
    private readonly readState: ReadStateService,
    private readonly events: EventsPublisher,
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
    // Step 5 of a send: the event and the reply together; the offset is committed after both.
    await Promise.all([
      outcome.created
        ? this.events.messageCreated(outcome.created, { ...trace, [TRACE_HEADERS.messagingStarted]: started, [TRACE_HEADERS.messagingStored]: traceNow() })
        : undefined,
      command.replyTo ? this.events.reply(command.replyTo, command.commandId, outcome.result) : undefined,
    ]);
  }

  private async execute(command: ChannelCommand): Promise<Outcome> {
    switch (command.type) {
      case 'message.send': {
        const { message, announce } = await this.sender.send(command);
        return { result: { ok: true, message }, ...(announce ? { created: message } : {}) };
      }
      case 'read':
        await this.readState.markRead(command.userId, command.payload.channelId, command.payload.seq);
        return { result: { ok: true } };
      case 'message.edit':
      case 'message.delete':
      case 'reaction.add':
      case 'reaction.remove':
        return { result: { ok: false, error: { code: 'unavailable', message: `${command.type} is not implemented in this version` } } };
    }
  }
}
