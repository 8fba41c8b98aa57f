// Executes the commands of chat.channel.command.v1 other than sends (the sequencer stores sends):
// edits, deletes, reactions and read markers, each answered on chat.command.reply.v1. The
// sequencer runs a channel's edits, deletes and reactions in the channel's command order, after
// the sends issued before them are stored, and names each command's position (its offset), which
// stamps its writes (edits/change-write-time.ts). Business refusals (not a member, unknown message)
// become `{ok: false}` replies; any other error propagates and the sequencer retries the command
// (every step is idempotent).
import { Injectable } from '@nestjs/common';
import { type ChannelCommand, type Message } from '@chat/contracts';
import { AppError } from '@chat/service-kit';
import { type CommandResult, EventsPublisher } from '../common/events.publisher';
import { type CommandPosition } from '../edits/change-write-time';
import { type ChangeOutcome, MessageChanges } from '../edits/message-changes.service';
import { ReadStateService } from '../read-state/read-state.service';

export type ChangeCommand = Exclude<ChannelCommand, { type: 'message.send' }>;

interface Outcome {
  result: CommandResult;
  /** Messages to announce on chat.message.updated.v1, in this order. */
  updated?: Message[];
}

@Injectable()
export class ChannelCommandService {
  constructor(
    private readonly readState: ReadStateService,
    private readonly events: EventsPublisher,
    private readonly changes: MessageChanges,
  ) {}

  async handle(command: ChangeCommand, position: CommandPosition): Promise<void> {
    let outcome: Outcome;
    try {
      outcome = await this.execute(command, position);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      outcome = { result: { ok: false, error: { code: error.code, message: error.message } } };
    }
    // Updates go out one by one, in order: a receiver must see them as they were applied.
    const updates = (async () => {
      for (const message of outcome.updated ?? []) await this.events.messageUpdated(message);
    })();
    await Promise.all([updates, command.replyTo ? this.events.reply(command.replyTo, command.commandId, outcome.result) : undefined]);
  }

  private async execute(command: ChangeCommand, position: CommandPosition): Promise<Outcome> {
    switch (command.type) {
      case 'read':
        await this.readState.markRead(command.userId, command.payload.channelId, command.payload.seq);
        return { result: { ok: true } };
      case 'message.edit':
        return withMessage(await this.changes.edit(command, position));
      case 'message.delete':
        return { result: { ok: true }, updated: (await this.changes.remove(command, position)).updated };
      case 'reaction.add':
      case 'reaction.remove':
        return { result: { ok: true }, updated: (await this.changes.react(command, position)).updated };
    }
  }
}

function withMessage(change: ChangeOutcome): Outcome {
  return { result: { ok: true, ...(change.message ? { message: change.message } : {}) }, updated: change.updated };
}
