// One member of a consumer group on RabbitMQ: subscribes to the lease of every partition index
// (partition-lease.ts) and reads partition p of every topic of the group while it holds lease p,
// from the offsets the lease holds. Partition p of all the group's topics therefore always lives
// in one member (co-partitioned by construction). Offsets are committed on a timer, per partition,
// up to what the sink says is finished; and on the same timer a member that holds more than its
// fair share (ceil(partitions / members)) hands the extra partitions on, so members started one
// after the other end up balanced (RabbitMQ 3.10 has no consumer priorities for single active consumers).
//
// Every change of the held set is applied as Kafka's eager rebalance does: commit, stop every
// reader, tell the sink the new assignment under a new generation, read again from the committed
// offsets. Losing a lease under it (broker, heartbeat) drops the partition without a commit.
import { Logger } from '@nestjs/common';
import { type Channel, type ChannelModel } from 'amqplib';
import { type RawMessage } from '../consumer/dead-letter';
import { type Offsets, PartitionLease } from './partition-lease';
import { leaseQueueName, membersQueueName, streamName } from './rabbitmq.options';
import { type StreamStart, StreamReader } from './stream-reader';

/** How long a change of the held set waits for others that come with it. */
const GATHER_MS = 50;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What the member feeds (PartitionProcessor or PipelineRunner, adapted by RabbitMqConsumers). */
export interface MemberSink {
  /** The held partitions changed; work of older generations must fence itself. */
  assigned(partitions: readonly number[], generation: number): void;
  deliver(topic: string, partition: number, messages: readonly RawMessage[], reader: StreamReader): Promise<void>;
  /** Offsets (next to read) finished since the last call, per topic, for partition p. */
  finished(partition: number): Offsets;
}

export interface GroupMemberOptions {
  group: string;
  /** Physical topic names and their partition counts. */
  topics: ReadonlyMap<string, number>;
  fromBeginning: boolean;
  prefetch: number;
  commitEveryMs: number;
  sink: MemberSink;
  /** Something under the member failed; the owner of the member starts a new one. */
  failed: (error: Error) => void;
}

export class GroupMember {
  private readonly logger = new Logger('RabbitMqGroup');
  private readonly leases: PartitionLease[] = [];
  /** Every live member subscribes to the group's members queue: its consumer count is the group's size. */
  private membership: Channel | undefined;
  private readers = new Map<number, StreamReader[]>();
  private generation = 0;
  private changes: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private rebuildQueued = false;
  /** Partitions whose readers are subscribed (by the last rebuild). */
  private reading = new Set<number>();
  private stopped = false;

  constructor(
    private readonly model: ChannelModel,
    private readonly options: GroupMemberOptions,
  ) {}

  get partitions(): number {
    return Math.max(...this.options.topics.values());
  }

  /** Partitions held now. */
  held(): number[] {
    return this.leases.filter((l) => l.held).map((l) => l.partition);
  }

  async start(): Promise<void> {
    const membership = await this.model.createChannel();
    this.membership = membership;
    membership.on('error', () => undefined);
    membership.on('close', () => {
      if (!this.stopped) this.options.failed(new Error(`the membership channel of ${this.options.group} closed`));
    });
    const members = membersQueueName(this.options.group);
    // Classic, never holds a message, removed by the broker after a day without members.
    await membership.assertQueue(members, { durable: true, arguments: { 'x-expires': 86_400_000 } });
    await membership.consume(members, () => undefined, { noAck: true });
    for (let p = 0; p < this.partitions; p++) {
      const lease = this.newLease(p);
      this.leases.push(lease);
      await lease.start();
    }
    this.timer = setInterval(() => void this.tick(), this.options.commitEveryMs);
  }

  /**
   * Settles once every partition is either read by this member (its readers subscribed, so a
   * record published from now on is seen) or owned by another (its token is held elsewhere), as
   * seen twice in a row: Kafka's "joined and resolved the starting offsets".
   */
  async settled(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let stableRounds = 0;
    while (stableRounds < 2) {
      if (this.stopped) throw new Error(`the member of ${this.options.group} stopped before it settled`);
      if (Date.now() > deadline) throw new Error(`the member of ${this.options.group} did not settle within ${timeoutMs} ms`);
      await sleep(GATHER_MS);
      const states = await Promise.all(
        this.leases.map(async (lease) => (this.reading.has(lease.partition) && lease.held) || (lease.waiting && (await lease.readyTokens().catch(() => 1)) === 0)),
      );
      stableRounds = states.every(Boolean) && !this.rebuildQueued ? stableRounds + 1 : 0;
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    await this.changes;
    await this.stopReaders();
    await this.commitAll();
    await Promise.all(this.leases.map((l) => l.close()));
    await this.membership?.close().catch(() => undefined);
  }

  /** Forgets everything without committing (a lease or the connection was lost). */
  async abandon(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.stopReaders();
    await Promise.all(this.leases.map((l) => l.close()));
    await this.membership?.close().catch(() => undefined);
  }

  private newLease(p: number): PartitionLease {
    return new PartitionLease(this.model, leaseQueueName(this.options.group, p), p, {
      acquired: () => this.change(),
      lost: (partition, error) => {
        if (this.stopped) return;
        this.logger.warn({ err: error, group: this.options.group, partition }, 'lease lost');
        this.options.failed(error);
      },
    });
  }

  /** Applies the held set as it is now, one change at a time. */
  private change(): void {
    // Leases acquired together (a member starting alone, or taking over a departed member's
    // partitions) are applied in one rebuild, as one Kafka rebalance would assign them.
    if (this.rebuildQueued) return;
    this.rebuildQueued = true;
    void this.enqueue(async () => {
      await sleep(GATHER_MS);
      this.rebuildQueued = false;
      await this.rebuild();
    });
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    this.changes = this.changes.then(work).catch((error: unknown) => this.options.failed(error instanceof Error ? error : new Error(String(error))));
    return this.changes;
  }

  private async rebuild(): Promise<void> {
    if (this.stopped) return;
    await this.stopReaders();
    await this.commitAll();
    const held = this.held();
    this.generation++;
    this.options.sink.assigned(held, this.generation);
    const readers = new Map<number, StreamReader[]>();
    for (const p of held) {
      const lease = this.leases[p];
      const list: StreamReader[] = [];
      for (const [topic, count] of this.options.topics) {
        if (p >= count) continue;
        const committed = lease.committed[topic];
        // No commit yet: from the group's creation (or the beginning), so records published while
        // the partition changed hands before its first commit are not skipped.
        const since = lease.since;
        const start: StreamStart = committed ?? (this.options.fromBeginning ? 'first' : since !== undefined ? { since } : 'next');
        const reader: StreamReader = new StreamReader(this.model, {
          stream: streamName(topic, p),
          start,
          prefetch: this.options.prefetch,
          deliver: (messages) => this.options.sink.deliver(topic, p, messages, reader),
          lost: (error) => this.options.failed(error),
        });
        await reader.start();
        list.push(reader);
      }
      readers.set(p, list);
    }
    this.readers = readers;
    this.reading = new Set(held);
    this.logger.log({ group: this.options.group, partitions: held, generation: this.generation }, 'partitions assigned');
  }

  private async stopReaders(): Promise<void> {
    const all = [...this.readers.values()].flat();
    this.readers = new Map();
    await Promise.all(all.map((r) => r.stop()));
  }

  private async commitAll(): Promise<void> {
    await Promise.all(this.leases.filter((l) => l.held).map((l) => this.commit(l)));
  }

  private async commit(lease: PartitionLease): Promise<void> {
    const finished = this.options.sink.finished(lease.partition);
    const moved = Object.entries(finished).some(([topic, offset]) => offset > (lease.committed[topic] ?? -1));
    if (!moved) return;
    try {
      await lease.commit(finished);
    } catch (error) {
      // The lease is gone (its close handler reports it) or the broker is away: the next commit carries the same or higher offsets.
      this.logger.debug({ err: error, group: this.options.group, partition: lease.partition }, 'offset commit failed');
    }
  }

  private async tick(): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      await this.commitAll();
      await this.balance();
    } finally {
      this.ticking = false;
    }
  }

  /** Hands partitions on, in one change, while this member holds more than its share. */
  private async balance(): Promise<void> {
    const held = this.leases.filter((l) => l.held);
    if (held.length <= 1 || this.membership === undefined) return;
    let members: number;
    try {
      // (A single-active-consumer queue counts only its active consumer, hence the members queue.)
      members = (await this.membership.checkQueue(membersQueueName(this.options.group))).consumerCount;
    } catch {
      return;
    }
    const share = Math.ceil(this.partitions / Math.max(1, members));
    if (held.length <= share) return;
    const handedOn = held.slice(share);
    this.logger.log({ group: this.options.group, partitions: handedOn.map((l) => l.partition), members, share }, 'handing partitions on (fair share)');
    // Stop reading them, commit what is finished, leave their lines (the tokens go to the next
    // members), join again at the end of each line, and apply the smaller set.
    await this.enqueue(async () => {
      for (const lease of handedOn) {
        for (const reader of this.readers.get(lease.partition) ?? []) await reader.stop();
        this.readers.delete(lease.partition);
        await this.commit(lease);
        await lease.close();
      }
      for (const lease of handedOn) {
        const again = this.newLease(lease.partition);
        this.leases[lease.partition] = again;
        await again.start();
      }
      await this.rebuild();
    });
  }
}
