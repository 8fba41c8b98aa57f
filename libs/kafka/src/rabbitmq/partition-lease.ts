// Ownership of partition p by one member of a group, and the group's committed offsets of p.
//
// The lease is a quorum queue with single active consumer (`<group>.owner.p<p>`) holding a token
// message: `{offsets: {<topic>: next offset to read}, since: <ms>}`, `since` being when the group
// was created (where a topic without a committed offset is read from, so a partition handed on
// before its first commit loses nothing). Every member subscribes; RabbitMQ delivers
// only to the active consumer, so the member that holds a token owns the partition. When its
// channel closes (it stopped, crashed, or missed heartbeats) the broker returns the token and makes
// the next subscriber active, which receives it: that is the takeover, with the offsets to resume
// from. Committing publishes a new token (confirmed) and then acknowledges the ones held, so a
// crash between the two leaves two tokens, and the next owner takes the highest offsets of all it
// receives (it waits until the queue has none ready, i.e. it holds them all). A member that was
// deposed cannot commit: its channel is gone.
//
// What this does not give (docs/design/bus.md): a deposed owner may still be running its work
// for a moment (until it sees its channel close); the epochs in Cassandra fence what it writes.
import { Logger } from '@nestjs/common';
import { type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';

export type Offsets = Readonly<Record<string, number>>;

export interface LeaseEvents {
  acquired(partition: number, offsets: Offsets): void;
  /** Lost without being released (channel closed under it). */
  lost(partition: number, error: Error): void;
}

const PREFETCH = 100;
const SETTLE_POLL_MS = 20;
const SETTLE_MAX_MS = 1_000;

export class PartitionLease {
  private readonly logger = new Logger('PartitionLease');
  private channel: ConfirmChannel | undefined;
  private tokens: ConsumeMessage[] = [];
  private offsets: Record<string, number> = {};
  private createdAt: number | undefined;
  private state: 'waiting' | 'acquiring' | 'held' | 'closed' = 'waiting';

  constructor(
    private readonly model: ChannelModel,
    readonly queue: string,
    readonly partition: number,
    private readonly events: LeaseEvents,
  ) {}

  get held(): boolean {
    return this.state === 'held';
  }

  /** Neither held nor being acquired by this member. */
  get waiting(): boolean {
    return this.state === 'waiting';
  }

  /** Tokens ready in the queue: none while some member holds them (or this one is receiving them). */
  async readyTokens(): Promise<number> {
    const channel = this.channel;
    if (channel === undefined) throw new Error(`lease ${this.queue} is closed`);
    return (await channel.checkQueue(this.queue)).messageCount;
  }

  /** When the group was created (ms), as the tokens say. */
  get since(): number | undefined {
    return this.createdAt;
  }

  /** The committed offsets of the partition while held. */
  get committed(): Offsets {
    return this.offsets;
  }

  /** Declares the lease, seeds its first token if nobody ever did, and joins the line of subscribers. */
  async start(): Promise<void> {
    const channel = await this.model.createConfirmChannel();
    this.channel = channel;
    channel.on('error', (error: Error) => this.logger.debug({ err: error, queue: this.queue }, 'lease channel error'));
    channel.on('close', () => {
      if (this.channel !== channel) return;
      this.channel = undefined;
      const wasHeld = this.state === 'held' || this.state === 'acquiring';
      if (this.state !== 'closed') {
        this.state = 'closed';
        if (wasHeld) this.events.lost(this.partition, new Error(`the lease ${this.queue} closed under its owner`));
        else this.events.lost(this.partition, new Error(`the lease ${this.queue} closed`));
      }
    });
    const declared = await channel.assertQueue(this.queue, { durable: true, arguments: { 'x-queue-type': 'quorum', 'x-single-active-consumer': true } });
    // No token ready and nobody subscribed: the group is new. Two members starting together may
    // both seed; empty tokens carry nothing, so that is harmless.
    if (declared.messageCount === 0 && declared.consumerCount === 0) await this.publishToken(channel, {}, Date.now());
    await channel.prefetch(PREFETCH);
    await channel.consume(this.queue, (message) => this.onToken(channel, message), { noAck: false });
  }

  /** Stores the offsets (merged with the highest known) as the new token; resolves when confirmed. */
  async commit(offsets: Offsets): Promise<void> {
    const channel = this.channel;
    if (channel === undefined || this.state !== 'held') throw new Error(`lease ${this.queue} is not held`);
    const merged = { ...this.offsets };
    for (const [topic, offset] of Object.entries(offsets)) merged[topic] = Math.max(merged[topic] ?? 0, offset);
    const superseded = [...this.tokens];
    await this.publishToken(channel, merged, this.createdAt);
    this.offsets = merged;
    this.tokens = this.tokens.filter((t) => !superseded.includes(t));
    for (const token of superseded) channel.ack(token);
  }

  /** Leaves the partition (and the line): the tokens go to the next subscriber. */
  async close(): Promise<void> {
    this.state = 'closed';
    const channel = this.channel;
    this.channel = undefined;
    await channel?.close().catch(() => undefined);
  }

  private onToken(channel: ConfirmChannel, message: ConsumeMessage | null): void {
    if (message === null || this.channel !== channel) return;
    this.tokens.push(message);
    this.merge(message);
    if (this.state === 'waiting') {
      this.state = 'acquiring';
      void this.settle(channel);
    }
  }

  /** Waits until every token is in hand (none left ready), then reports the partition acquired. */
  private async settle(channel: ConfirmChannel): Promise<void> {
    const deadline = Date.now() + SETTLE_MAX_MS;
    try {
      while (Date.now() < deadline && (await channel.checkQueue(this.queue)).messageCount > 0) {
        await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
      }
    } catch {
      return; // the channel closed: the close handler reports it
    }
    if (this.channel !== channel || this.state !== 'acquiring') return;
    this.state = 'held';
    this.events.acquired(this.partition, this.offsets);
  }

  private merge(message: ConsumeMessage): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(message.content.toString('utf8'));
    } catch {
      this.logger.error({ queue: this.queue }, 'a lease token is not JSON; ignored');
      return;
    }
    const since = (parsed as { since?: unknown }).since;
    if (typeof since === 'number' && Number.isSafeInteger(since)) this.createdAt = Math.min(this.createdAt ?? since, since);
    const offsets = (parsed as { offsets?: unknown }).offsets;
    if (typeof offsets !== 'object' || offsets === null) return;
    for (const [topic, offset] of Object.entries(offsets)) {
      if (typeof offset === 'number' && Number.isSafeInteger(offset)) this.offsets[topic] = Math.max(this.offsets[topic] ?? 0, offset);
    }
  }

  private publishToken(channel: ConfirmChannel, offsets: Offsets, since: number | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      channel.sendToQueue(this.queue, Buffer.from(JSON.stringify({ offsets, ...(since !== undefined ? { since } : {}) })), { persistent: true }, (error: unknown) =>
        error ? reject(error instanceof Error ? error : new Error(`lease ${this.queue}: token not confirmed`)) : resolve(),
      );
    });
  }
}
