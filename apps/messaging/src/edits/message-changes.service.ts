// Everything that happens to an existing message: edits, deletes and reactions. (What a send
// derives after it is stored — ledgers, thread summary, file shares — is done by the
// after-store steps of the feature modules, run by projections/.) ChannelCommandService calls it
// for the commands of chat.channel.command.v1, which the sequencer runs in the channel's command
// order, after the sends issued before them are stored: two edits of one message from two devices
// are applied in the order Kafka holds them, acknowledged in that order, and announced on
// chat.message.updated.v1 (keyed by channel) in that order, so every receiver ends with the last
// acknowledged edit. The row's writes (its search terms included) carry their command's write time
// (change-write-time.ts): a command applied again, late, by a deposed owner cannot undo a later one.
// Every step is an idempotent write, so a redelivered command converges on the same state.
import { Injectable } from '@nestjs/common';
import { type ChannelCommand, type Message } from '@chat/contracts';
import { AppError } from '@chat/service-kit';
import { Clock } from '../common/clock';
import { FileSharesPublisher } from '../files/file-shares.publisher';
import { MentionLedger } from '../mentions/mention-ledger';
import { fromStored, MentionsService, storedMentions } from '../mentions/mentions.service';
import { PinsRepository } from '../pins/pins.repository';
import { reactionCell } from '../reactions/reaction-cells';
import { UnreadLedgerRepository } from '../read-state/unread-ledger.repository';
import { ThreadsService } from '../threads/threads.service';
import { WorkspacesRepository } from '../workspaces/workspaces.repository';
import { changeWriteTime, type CommandPosition } from './change-write-time';
import { MessageLocator, notFound } from './message-locator';
import { MessageUpdatesRepository } from './message-updates.repository';

type CommandOf<T extends ChannelCommand['type']> = Extract<ChannelCommand, { type: T }>;

export interface ChangeOutcome {
  /** The message as the command's reply carries it (send and edit). */
  message?: Message;
  /** Messages to announce on chat.message.updated.v1, in order. */
  updated: Message[];
}

@Injectable()
export class MessageChanges {
  constructor(
    private readonly locator: MessageLocator,
    private readonly updates: MessageUpdatesRepository,
    private readonly mentions: MentionsService,
    private readonly mentionLedger: MentionLedger,
    private readonly ledger: UnreadLedgerRepository,
    private readonly threads: ThreadsService,
    private readonly pins: PinsRepository,
    private readonly workspaces: WorkspacesRepository,
    private readonly fileShares: FileSharesPublisher,
    private readonly clock: Clock,
  ) {}

  /** `message.edit`: the author only; a deleted message cannot be edited (not_found). */
  async edit(command: CommandOf<'message.edit'>, position: CommandPosition): Promise<ChangeOutcome> {
    const { channelId, messageId, text } = command.payload;
    const { message, row } = await this.locator.forMember(channelId, messageId, command.userId);
    if (message.deleted) throw notFound(messageId);
    if (message.senderId !== command.userId) throw new AppError('forbidden', 'only the author may edit a message');

    const before = fromStored(message.mentions);
    const after = await this.mentions.resolve(text);
    const editedAt = this.clock.now();
    const writeTime = changeWriteTime(message, position);
    await this.mentionLedger.forget(message, { userIds: before.userIds.filter((id) => !after.userIds.includes(id)), channel: before.channel && !after.channel });
    await this.updates.edit(row, text, storedMentions(after), editedAt, writeTime);
    await this.mentionLedger.record(message, after, editedAt);
    if (message.threadId) await this.threads.addParticipants(message.channelId, message.threadId, after.userIds);
    const edited = await this.locator.reread(row);
    return { message: edited, updated: [edited] };
  }

  /** `message.delete`: the author or an owner of the channel's workspace. Deleting twice is a no-op. */
  async remove(command: CommandOf<'message.delete'>, position: CommandPosition): Promise<ChangeOutcome> {
    const { channelId, messageId } = command.payload;
    const { channel, message, row } = await this.locator.forMember(channelId, messageId, command.userId).catch(async (error: unknown) => {
      // A workspace owner may moderate a channel they are not a member of, if they can see it.
      if (!(error instanceof AppError) || error.code !== 'forbidden') throw error;
      return this.asOwner(channelId, messageId, command.userId, error);
    });
    if (message.deleted) return { updated: [] };
    if (message.senderId !== command.userId && (await this.workspaces.role(channel.workspaceId, command.userId)) !== 'owner') {
      throw new AppError('forbidden', "only the author or a workspace owner may delete a message");
    }

    // Its attachments stop being downloadable through it. Before the tombstone, which forgets the
    // files: a retry after a failure here finds the message undeleted and revokes again. files keeps
    // the revocation, so the message's share landing later does not bring the right back.
    await this.fileShares.revoked(message);
    const writeTime = changeWriteTime(message, position);
    await this.updates.tombstone(row, writeTime);
    await Promise.all([
      this.ledger.addDeleted(channelId, { seq: message.seq, senderId: message.senderId }),
      this.mentionLedger.forget(message, fromStored(message.mentions)),
      this.pins.unpin(channelId, messageId),
    ]);
    const tombstone = await this.locator.reread(row);
    const root = await this.threads.onReplyDeleted(message);
    return { updated: root ? [tombstone, root] : [tombstone] };
  }

  /** `reaction.add` / `reaction.remove`: per user idempotent; announced only when something changed. */
  async react(command: CommandOf<'reaction.add' | 'reaction.remove'>, position: CommandPosition): Promise<ChangeOutcome> {
    const { channelId, messageId, emoji } = command.payload;
    const { message, row } = await this.locator.forMember(channelId, messageId, command.userId);
    if (message.deleted) throw notFound(messageId);
    const had = message.reactions?.some((r) => r.emoji === emoji && r.userIds.includes(command.userId)) ?? false;
    const cell = reactionCell(emoji, command.userId);
    const writeTime = changeWriteTime(message, position);
    if (command.type === 'reaction.add') await this.updates.addReaction(row, cell, writeTime);
    else await this.updates.removeReaction(row, cell, writeTime);
    if (had === (command.type === 'reaction.add')) return { updated: [] };
    return { updated: [await this.locator.reread(row)] };
  }

  private async asOwner(channelId: string, messageId: string, userId: string, refusal: AppError) {
    const located = await this.locator.inChannel(channelId, messageId);
    const channel = await this.locator.channelOf(channelId);
    if ((await this.workspaces.role(channel.workspaceId, userId)) !== 'owner') throw refusal;
    return { channel, ...located };
  }
}
