// Everything that happens to a message besides storing it with its seq: the work around a send
// (thread root check before; search terms, mentions, unread ledger and thread summary after),
// edits, deletes and reactions. ChannelCommandService calls it for the commands of
// chat.channel.command.v1, so all of it runs in the channel's command order (one Kafka partition
// per channel, one command at a time): two edits of one message from two devices are applied in
// the order Kafka holds them, acknowledged in that order, and announced on chat.message.updated.v1
// (keyed by channel) in that order, so every receiver ends with the last acknowledged edit.
// Every step is an idempotent write, so a redelivered command converges on the same state.
import { Injectable } from '@nestjs/common';
import { type ChannelCommand, type Message } from '@chat/contracts';
import { AppError } from '@chat/service-kit';
import { Clock } from '../common/clock';
import { fromStored, MentionsService, type ResolvedMentions, storedMentions } from '../mentions/mentions.service';
import { PinsRepository } from '../pins/pins.repository';
import { reactionCell } from '../reactions/reaction-cells';
import { UnreadLedgerRepository } from '../read-state/unread-ledger.repository';
import { terms } from '../search/text-analyzer';
import { ThreadsService } from '../threads/threads.service';
import { WorkspacesRepository } from '../workspaces/workspaces.repository';
import { MessageLocator, notFound } from './message-locator';
import { MessageUpdatesRepository } from './message-updates.repository';

type CommandOf<T extends ChannelCommand['type']> = Extract<ChannelCommand, { type: T }>;

/** What a send needs before it is stored (see prepareSend). */
export interface PreparedSend {
  mentions: ResolvedMentions;
  /** Written with the message row: its search terms and stored mentions. */
  derived: { terms: string[]; mentions: string[] };
}

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
    private readonly ledger: UnreadLedgerRepository,
    private readonly threads: ThreadsService,
    private readonly pins: PinsRepository,
    private readonly workspaces: WorkspacesRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * Before a send is stored: checks a reply's thread root, resolves the mentions and analyses the
   * text for search (one round trip at most, side by side), so the message row is written whole
   * by the seq fence instead of being completed by a second write. Membership is checked by the
   * send itself.
   */
  async prepareSend(command: CommandOf<'message.send'>): Promise<PreparedSend> {
    const { channelId, threadId, text } = command.payload;
    const [, mentions] = await Promise.all([threadId ? this.threads.requireRoot(channelId, threadId) : undefined, this.mentions.resolve(text)]);
    return { mentions, derived: { terms: terms(text), mentions: storedMentions(mentions) } };
  }

  /**
   * After the message row exists: ledgers and the thread summary. Idempotent (a replay redoes it).
   * `mentions` is what prepareSend resolved for this very text.
   */
  async afterSend(stored: Message, mentions: ResolvedMentions): Promise<ChangeOutcome> {
    if (stored.deleted) return { message: stored, updated: [] };
    const [root] = await Promise.all([
      this.threads.onReply(stored, mentions.userIds),
      this.ledger.addSent(stored.channelId, stored.senderId, stored.seq),
      this.recordMentions(stored, mentions),
    ]);
    return { message: stored, updated: root ? [root] : [] };
  }

  /** `message.edit`: the author only; a deleted message cannot be edited (not_found). */
  async edit(command: CommandOf<'message.edit'>): Promise<ChangeOutcome> {
    const { channelId, messageId, text } = command.payload;
    const { message, row } = await this.locator.forMember(channelId, messageId, command.userId);
    if (message.deleted) throw notFound(messageId);
    if (message.senderId !== command.userId) throw new AppError('forbidden', 'only the author may edit a message');

    const before = fromStored(message.mentions);
    const after = await this.mentions.resolve(text);
    await this.forgetMentions(message, { userIds: before.userIds.filter((id) => !after.userIds.includes(id)), channel: before.channel && !after.channel });
    await this.updates.edit(row, text, terms(text), storedMentions(after), this.clock.now());
    await this.recordMentions(message, after);
    if (message.threadId) await this.threads.addParticipants(message.channelId, message.threadId, after.userIds);
    const edited = await this.locator.reread(row);
    return { message: edited, updated: [edited] };
  }

  /** `message.delete`: the author or an owner of the channel's workspace. Deleting twice is a no-op. */
  async remove(command: CommandOf<'message.delete'>): Promise<ChangeOutcome> {
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

    await this.updates.tombstone(row);
    await Promise.all([
      this.ledger.addDeleted(channelId, { seq: message.seq, senderId: message.senderId }),
      this.forgetMentions(message, fromStored(message.mentions)),
      this.pins.unpin(channelId, messageId),
    ]);
    const tombstone = await this.locator.reread(row);
    const root = await this.threads.onReplyDeleted(message);
    return { updated: root ? [tombstone, root] : [tombstone] };
  }

  /** `reaction.add` / `reaction.remove`: per user idempotent; announced only when something changed. */
  async react(command: CommandOf<'reaction.add' | 'reaction.remove'>): Promise<ChangeOutcome> {
    const { channelId, messageId, emoji } = command.payload;
    const { message, row } = await this.locator.forMember(channelId, messageId, command.userId);
    if (message.deleted) throw notFound(messageId);
    const had = message.reactions?.some((r) => r.emoji === emoji && r.userIds.includes(command.userId)) ?? false;
    const cell = reactionCell(emoji, command.userId);
    if (command.type === 'reaction.add') await this.updates.addReaction(row, cell);
    else await this.updates.removeReaction(row, cell);
    if (had === (command.type === 'reaction.add')) return { updated: [] };
    return { updated: [await this.locator.reread(row)] };
  }

  private async asOwner(channelId: string, messageId: string, userId: string, refusal: AppError) {
    const located = await this.locator.inChannel(channelId, messageId);
    const channel = await this.locator.channelOf(channelId);
    if ((await this.workspaces.role(channel.workspaceId, userId)) !== 'owner') throw refusal;
    return { channel, ...located };
  }

  private async recordMentions(message: Message, mentions: ResolvedMentions): Promise<void> {
    const others = mentions.userIds.filter((id) => id !== message.senderId);
    await Promise.all([
      ...others.map((id) => this.ledger.addUserMention(id, message.channelId, message.seq)),
      // @channel notifies the channel for top-level messages; in a thread it notifies nobody extra.
      mentions.channel && !message.threadId ? this.ledger.addChannelMention(message.channelId, { seq: message.seq, senderId: message.senderId }) : undefined,
    ]);
  }

  private async forgetMentions(message: Message, mentions: ResolvedMentions): Promise<void> {
    await Promise.all([
      ...mentions.userIds.map((id) => this.ledger.removeUserMention(id, message.channelId, message.seq)),
      mentions.channel ? this.ledger.removeChannelMention(message.channelId, message.seq) : undefined,
    ]);
  }
}
