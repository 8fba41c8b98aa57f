// The single writer of one partition of chat.channel.command.v1 (docs/design/sequencer.md).
// On taking the partition over it claims a new epoch (one lightweight transaction), writes the
// epoch marker into the same partition of chat.message.sequenced.v1 and waits until this
// process's store has applied it: everything the log accepted before is then in Cassandra. From
// there it assigns each channel's seqs in memory, last + 1, and appends sends to the log without
// waiting for one another: a channel's commands are taken in order, one at a time, up to the
// point where a send has its seq; the append is acknowledged later, and only then is the command
// finished (its offset committable). Channels never wait for each other.
//
// Per channel it keeps the last seq and the clientMsgIds of (at least) its last WINDOW messages,
// read back from Cassandra when the channel is first seen in this epoch. A send whose clientMsgId
// is known becomes a `duplicate` record, which the store answers with the stored message.
//
// It keeps `maxChannels` channels in memory: above that, the least recently used channel is
// forgotten once that is safe, i.e. when no command of it is in flight and the store of this
// process has stored every seq handed out in it. Cassandra then holds its last seq and its
// clientMsgIds, so reading the channel back on its next command (as a new owner does) hands out
// the same next seq and recognises the same duplicates.
import { type Logger } from '@nestjs/common';
import { type ChannelCommand, type ChannelCommandTopic, type Message, type MessageSequencedTopic, type ReplyTo } from '@chat/contracts';
import { type PartitionOutbox, type RecordOf, TRACE_HEADERS, traceNow, traceOf } from '@chat/kafka';
import { AppError } from '@chat/service-kit';
import { type ChannelAccess } from '../channels/channel-access.service';
import { type CommandPosition } from '../edits/change-write-time';
import { type Clock } from '../common/clock';
import { type CommandResult } from '../common/events.publisher';
import { type SendSteps } from '../pipeline/send-steps';
import { RecencyMap } from '../common/recency-map';
import { type ChangeCommand } from './channel-command.service';
import { type ChannelHeads } from './channel-heads';
import { type MessageBuckets } from './message-buckets';
import { messageIdFor } from './message-ids';
import { type MessagesRepository } from './messages.repository';
import { type PartitionEpochsRepository } from './partition-epochs.repository';
import { persistently } from './persistently';
import { type StoreProgress } from './store-progress';

/** Each channel's clientMsgIds remembered at least this far back (messages). */
export const IDEMPOTENCY_WINDOW = 1_000;

/** Least recently used channels looked at per channel read (bounded work; busy ones are skipped). */
const EVICTION_CHECKS = 8;

type SendCommand = Extract<ChannelCommand, { type: 'message.send' }>;

export interface SequencerDeps {
  owner: string;
  /** Where gateways reach this process's direct hop, announced in the epoch marker; undefined: not (yet). */
  address(): string | undefined;
  /** Called once the epoch is claimed and its marker is in the log (the store's reports announce the owner). */
  owning(epoch: number): void;
  epochs: PartitionEpochsRepository;
  log: PartitionOutbox<typeof MessageSequencedTopic>;
  progress: StoreProgress;
  access: ChannelAccess;
  steps: SendSteps;
  heads: ChannelHeads;
  messages: MessagesRepository;
  buckets: MessageBuckets;
  clock: Clock;
  reply(replyTo: ReplyTo, commandId: string, result: CommandResult): Promise<void>;
  /** Applies an edit, delete, reaction or read marker; `position`: the command's offset (its writes' order). */
  change(command: ChangeCommand, position: CommandPosition): Promise<void>;
  logger: Logger;
  /** Channels kept in memory; more only while the least recent ones are busy. */
  maxChannels: number;
}

class ChannelSequence {
  /** clientMsgId -> seq, oldest first. */
  private readonly ids = new Map<string, number>();

  constructor(public last: number) {}

  seqOf(clientMsgId: string): number | undefined {
    return this.ids.get(clientMsgId);
  }

  remember(clientMsgId: string, seq: number): void {
    this.ids.set(clientMsgId, seq);
    if (this.ids.size >= 2 * IDEMPOTENCY_WINDOW) {
      // Drop the oldest half at once: amortised O(1) per send.
      const drop = this.ids.size - IDEMPOTENCY_WINDOW;
      let dropped = 0;
      for (const key of this.ids.keys()) {
        if (dropped++ >= drop) break;
        this.ids.delete(key);
      }
    }
  }
}

/** What remains of a command once its in-order part is done (a promise in an object: `await` would flatten it). */
interface Rest {
  done: Promise<void>;
}

const NEVER: Rest = { done: new Promise<void>(() => undefined) };
const DONE: Rest = { done: Promise.resolve() };

export class PartitionSequencer {
  private readonly channels: RecencyMap<string, ChannelSequence>;
  private readonly chains = new Map<string, Promise<void>>();
  private readonly epoch: Promise<number>;
  /** The epoch won by this sequencer's claim, as soon as the claim returns (before its marker is applied). */
  private claimedEpoch: number | undefined;
  private revoked = false;
  private readonly persistence;

  constructor(
    readonly partition: number,
    private readonly deps: SequencerDeps,
  ) {
    this.persistence = { owned: () => !this.revoked, sleep: (ms: number) => deps.clock.sleep(ms), logger: deps.logger };
    this.channels = new RecencyMap(
      deps.maxChannels,
      (channelId, channel) => this.forgettable(channelId, channel),
      (channelId) => deps.progress.forget(channelId),
    );
    this.epoch = this.claim();
    this.epoch.catch(() => undefined);
  }

  /** The partition moved on: stop; unfinished commands never finish here (the next owner redoes them). */
  revoke(): void {
    this.revoked = true;
    this.deps.log.close();
    for (const channelId of this.channels.keys()) this.deps.progress.forget(channelId);
    this.channels.clear();
  }

  /** Channels whose sequence is in memory (a gauge). */
  get channelsInMemory(): number {
    return this.channels.size;
  }

  /** Takes a command in its channel's order; the promise settles when the command is finished. */
  take(record: RecordOf<typeof ChannelCommandTopic>): Promise<void> {
    // Only sampled commands carry trace headers (the gateway's TRACE_SAMPLE_EVERY); they are passed on, stamped.
    const carried = traceOf(record.headers);
    const trace = carried[TRACE_HEADERS.gatewayPublished] === undefined ? carried : { ...carried, [TRACE_HEADERS.commandSent]: String(record.timestamp) };
    return this.enqueue(record.value, BigInt(record.offset), trace);
  }

  /**
   * A send handed over by a gateway directly (the direct hop), taken in its channel's order like a
   * command of the bus, but only under exactly the epoch the gateway named: false when this
   * sequencer is revoked or has another epoch (the gateway then sends it through the bus). Nothing
   * is committed for it: until the store's report acknowledges it, the gateway keeps it and sends
   * it through the bus if this owner goes away.
   */
  submitDirect(command: SendCommand, epoch: number, carried: Record<string, string>): boolean {
    if (this.revoked || this.claimedEpoch !== epoch) return false;
    const published = carried[TRACE_HEADERS.gatewayPublished];
    const trace: Record<string, string> = published === undefined ? {} : { [TRACE_HEADERS.gatewayPublished]: published, [TRACE_HEADERS.commandSent]: traceNow() };
    // A send's position is never used (only changes order their writes by it).
    void this.enqueue(command, -1n, trace);
    return true;
  }

  private enqueue(command: ChannelCommand, position: CommandPosition, trace: Record<string, string>): Promise<void> {
    // A user's read markers move forward only, in the order the user moved them: a chain of their
    // own, so reading never holds the channel's sends.
    const chain = command.type === 'read' ? `read/${command.userId}/${command.payload.channelId}` : command.payload.channelId;
    let release: (rest: Rest) => void = () => undefined;
    const finished = new Promise<Rest>((resolve) => (release = resolve)).then((rest) => rest.done);
    const previous = this.chains.get(chain) ?? Promise.resolve();
    const next = previous.then(async () => release(await this.safely(command, position, trace)));
    this.chains.set(chain, next);
    void next.finally(() => {
      if (this.chains.get(chain) === next) this.chains.delete(chain);
    });
    return finished;
  }

  private async claim(): Promise<number> {
    const { deps } = this;
    const epoch = await persistently('claiming an epoch', () => deps.epochs.claim(this.partition, deps.owner), this.persistence);
    this.claimedEpoch = epoch;
    const address = deps.address();
    await deps.log.push({ key: `partition-${this.partition}`, value: { kind: 'epoch', epoch, owner: deps.owner, ...(address ? { address } : {}) } });
    await deps.progress.epochReached(this.partition, epoch);
    if (!this.revoked) deps.owning(epoch);
    deps.logger.log({ partition: this.partition, epoch }, 'owning partition');
    return epoch;
  }

  /**
   * Never rejects, so a channel's chain always moves on. Passing failures are retried inside; what
   * escapes is a bug: the command is logged and left unfinished, so its offset is never committed
   * and the partition's next owner takes it again.
   */
  private async safely(command: ChannelCommand, position: CommandPosition, trace: Record<string, string>): Promise<Rest> {
    try {
      return await this.inOrder(command, position, trace);
    } catch (error) {
      this.deps.logger.error({ err: error, partition: this.partition, commandId: command.commandId, type: command.type }, 'command failed; left for the next owner');
      return NEVER;
    }
  }

  /** The part of a command done in its channel's order; returns what remains to wait for. */
  private async inOrder(command: ChannelCommand, position: CommandPosition, trace: Record<string, string>): Promise<Rest> {
    const epoch = await this.epoch;
    if (this.revoked) return NEVER;
    if (command.type === 'message.send') return this.send(command, epoch, TRACE_HEADERS.commandSent in trace ? { ...trace, [TRACE_HEADERS.messagingStarted]: traceNow() } : trace);
    if (command.type === 'read') {
      await this.changeCommand(command, position);
      return DONE;
    }
    const channel = await persistently('reading a channel', () => this.channel(command.payload.channelId), this.persistence);
    if (this.revoked) return NEVER;
    // Edits, deletes and reactions apply after the sends issued before them are stored.
    await this.deps.progress.storedUpTo(command.payload.channelId, channel.last);
    await this.changeCommand(command, position);
    return DONE;
  }

  private async send(command: SendCommand, epoch: number, headers: Record<string, string>): Promise<Rest> {
    const { channelId, clientMsgId } = command.payload;
    const replyTo = command.replyTo;
    let prepared: { channel: ChannelSequence; known?: number; additions?: Awaited<ReturnType<SendSteps['prepare']>> };
    try {
      prepared = await persistently(
        'preparing a send',
        async () => {
          // Authorisation first: nothing is waited for on behalf of a non-member.
          await this.deps.access.membership(channelId, command.userId);
          const channel = await this.channel(channelId);
          const known = channel.seqOf(clientMsgId);
          if (known !== undefined) return { channel, known };
          const additions = await this.deps.steps.prepare({
            channelId,
            senderId: command.userId,
            clientMsgId,
            text: command.payload.text,
            ...(command.payload.threadId ? { threadId: command.payload.threadId } : {}),
            ...(command.payload.fileIds ? { fileIds: command.payload.fileIds } : {}),
          });
          return { channel, additions };
        },
        this.persistence,
      );
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      return { done: replyTo ? this.deps.reply(replyTo, command.commandId, { ok: false, error: { code: error.code, message: error.message } }) : Promise.resolve() };
    }
    if (this.revoked) return NEVER;
    const { channel, known, additions } = prepared;
    if (known !== undefined) {
      return { done: this.deps.log.push({ key: channelId, value: { kind: 'duplicate', epoch, channelId, seq: known, clientMsgId, ...(replyTo ? { replyTo } : {}) }, headers }) };
    }
    const seq = channel.last + 1;
    const message: Message = {
      id: messageIdFor(seq),
      channelId,
      seq,
      senderId: command.userId,
      clientMsgId,
      text: command.payload.text,
      createdAt: this.deps.clock.now().toISOString(),
      ...(command.payload.threadId ? { threadId: command.payload.threadId } : {}),
      ...(additions?.mentions?.length ? { mentions: additions.mentions } : {}),
      ...(additions?.files?.length ? { files: additions.files } : {}),
    };
    channel.last = message.seq;
    channel.remember(clientMsgId, message.seq);
    return { done: this.deps.log.push({ key: channelId, value: { kind: 'send', epoch, message, ...(replyTo ? { replyTo } : {}) }, headers }) };
  }

  private changeCommand(command: ChangeCommand, position: CommandPosition): Promise<void> {
    return persistently(`${command.type} ${command.commandId}`, () => this.deps.change(command, position), this.persistence);
  }

  /**
   * Whether the channel may be forgotten: no command of it in flight (none is between reading its
   * sequence and handing out a seq), and every seq handed out in it stored, so reading it back
   * from Cassandra gives the same `last` and clientMsgIds.
   */
  private forgettable(channelId: string, channel: ChannelSequence): boolean {
    return !this.chains.has(channelId) && this.deps.progress.storedAt(channelId) >= channel.last;
  }

  /** The channel's sequence, read back from Cassandra the first time this owner sees the channel (or after forgetting it). */
  private async channel(channelId: string): Promise<ChannelSequence> {
    const known = this.channels.get(channelId);
    if (known) return known;
    const { heads, messages, buckets, progress } = this.deps;
    const last = await heads.refresh(channelId, 0);
    const channel = new ChannelSequence(last);
    if (last > 0) {
      const bucket = buckets.of(last);
      const recent = await messages.recentIds({ channelId, bucket }, IDEMPOTENCY_WINDOW);
      if (recent.length < IDEMPOTENCY_WINDOW && bucket > 0) recent.push(...(await messages.recentIds({ channelId, bucket: bucket - 1 }, IDEMPOTENCY_WINDOW - recent.length)));
      for (const { seq, clientMsgId } of recent.reverse()) channel.remember(clientMsgId, seq);
    }
    // A revoked owner follows nothing more (its commands never finish here).
    if (this.revoked) return channel;
    // Read from Cassandra, so stored: an edit waiting for these seqs need not wait for the store.
    progress.track(channelId, last);
    this.channels.set(channelId, channel);
    this.channels.trim(EVICTION_CHECKS);
    return channel;
  }
}
