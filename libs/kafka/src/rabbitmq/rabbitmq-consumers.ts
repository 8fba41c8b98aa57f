// Consumer groups on RabbitMQ (BUS=rabbitmq), with the delivery rules of the Kafka transport: the
// same PartitionProcessor (order per partition, retries with a paused partition, dead letters) and
// PipelineRunner (commit up to the lowest unfinished record) run on records read from streams.
//   - a group: GroupMember (one owner per partition through the leases, offsets in the leases);
//   - broadcast: every process reads every partition from the next record on, commits nothing; after
//     an outage a reader reads on from where it stopped (its position is kept in memory).
// A member whose lease or reader fails (broker gone, heartbeat missed) is dropped without a
// commit and a new one joins after a backoff; meanwhile the group is reported not running.
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { type TopicDefinition } from '@chat/contracts';
import { type BusConsumers } from '../bus/bus';
import { type ConsumeOptions, type ConsumerHandle, type PipelineConsumeOptions } from '../consumer/consume.options';
import { ConsumerMetrics } from '../consumer/consumer.metrics';
import { planConsumer } from '../consumer/consumer-plan';
import { PipelineRunner } from '../consumer/pipeline.runner';
import { GroupMember, type MemberSink } from './group-member';
import { type Offsets } from './partition-lease';
import { RabbitMqConnection } from './rabbitmq.connection';
import { RabbitMqDeadLetters } from './rabbitmq-dead-letters';
import { physicalName } from '../kafka.options';
import { RABBITMQ_OPTIONS, type ResolvedRabbitMqOptions, streamName } from './rabbitmq.options';
import { StreamReader } from './stream-reader';


interface Started {
  /** See ConsumerHandle.ready. */
  ready: Promise<void>;
  stop: () => Promise<void>;
}
const RESTART_MS = { first: 500, max: 10_000 };
/**
 * How long consume() keeps trying its first join: a broker away for a moment, or one that refuses
 * a lease's first publish while its quorum queue elects a leader, must not fail the service's start
 * for good, as kafkajs retries its first connect. Longer than the broker's own operation timeout
 * (30 s: an overloaded 3.10 answered a queue declaration with "NOT_FOUND … due to timeout"), so
 * that such an answer is tried again too.
 */
const FIRST_JOIN_MS = 120_000;

@Injectable()
export class RabbitMqConsumers implements BusConsumers, OnModuleDestroy {
  private readonly logger = new Logger('RabbitMqConsumer');
  private readonly handles = new Set<ConsumerHandle>();
  private readonly down = new Set<string>();

  constructor(
    private readonly connection: RabbitMqConnection,
    @Inject(RABBITMQ_OPTIONS) private readonly options: ResolvedRabbitMqOptions,
    private readonly deadLetters: RabbitMqDeadLetters,
    private readonly metrics: ConsumerMetrics,
  ) {}

  async consume<T extends TopicDefinition>(options: ConsumeOptions<T>): Promise<ConsumerHandle> {
    const { groupId, topics, processor } = planConsumer(options, { ...this.options, deadLetters: this.deadLetters, metrics: this.metrics });
    const resolved = new Map<string, number>();
    const sink: MemberSink = {
      assigned: () => undefined,
      deliver: async (topic, partition, messages, reader) => {
        const epoch = reader.epoch;
        await processor.process(
          { topic, partition, messages },
          {
            resolveOffset: (offset) => {
              reader.resolved(offset);
              resolved.set(`${topic}/${partition}`, Number(offset) + 1);
            },
            commitOffsetsIfNecessary: () => Promise.resolve(),
            heartbeat: () => Promise.resolve(),
            isRunning: () => reader.running,
            isStale: () => reader.epoch !== epoch,
            pause: () => reader.pause(),
          },
        );
      },
      finished: (partition) => {
        const offsets: Record<string, number> = {};
        for (const topic of topics.keys()) {
          const next = resolved.get(`${topic}/${partition}`);
          if (next !== undefined) offsets[topic] = next;
        }
        return offsets;
      },
    };
    const started = options.broadcast ? await this.startBroadcast(groupId, [...topics].map(([name, t]) => [name, t.partitions] as const), sink) : await this.startGroup(groupId, topics, options.fromBeginning ?? false, sink);
    const handle = this.register(groupId, started.ready, async () => {
      processor.close();
      await started.stop();
    });
    this.logger.log(`consuming ${[...topics.keys()].join(', ')} as ${groupId}`);
    return handle;
  }

  async consumePipeline<T extends TopicDefinition>(options: PipelineConsumeOptions<T>): Promise<ConsumerHandle> {
    const groupId = physicalName(this.options, options.groupId);
    const topics = new Map(options.topics.map((t) => [physicalName(this.options, t.name), t]));
    if (options.coPartitioned && new Set(options.topics.map((t) => t.partitions)).size > 1) throw new Error('co-partitioned topics must have as many partitions');
    const runner = new PipelineRunner(groupId, topics, options.pipeline, this.deadLetters);
    let pending = new Map<number, Record<string, number>>();
    const sink: MemberSink = {
      assigned: (partitions) => {
        pending = new Map();
        const assignment: Record<string, number[]> = {};
        for (const [name, t] of topics) assignment[name] = partitions.filter((p) => p < t.partitions);
        runner.joined(assignment);
      },
      deliver: (topic, partition, messages) => runner.batch(topic, partition, messages),
      finished: (partition): Offsets => {
        for (const request of runner.commits()) {
          const entry = pending.get(request.partition) ?? {};
          entry[request.topic] = Number(request.offset);
          pending.set(request.partition, entry);
        }
        const offsets = pending.get(partition) ?? {};
        pending.delete(partition);
        return offsets;
      },
    };
    const started = await this.startGroup(groupId, topics, options.fromBeginning ?? false, sink, options.commitEveryMs);
    const handle = this.register(groupId, started.ready, started.stop);
    this.logger.log(`consuming ${[...topics.keys()].join(', ')} as ${groupId} (pipelined, co-partitioned by construction)`);
    return handle;
  }

  crashedGroups(): string[] {
    return [...this.down];
  }

  /** Members are started again for as long as it takes; none is given up for good. */
  deadGroups(): string[] {
    return [];
  }

  async onModuleDestroy(): Promise<void> {
    const results = await Promise.allSettled([...this.handles].map((handle) => handle.stop()));
    for (const result of results) {
      if (result.status === 'rejected') this.logger.error({ err: result.reason as unknown }, 'a consumer did not stop cleanly');
    }
  }

  /** Joins the group (and joins again after a failure); resolves once the first member subscribed its leases. */
  private async startGroup(group: string, topics: ReadonlyMap<string, TopicDefinition>, fromBeginning: boolean, sink: MemberSink, commitEveryMs?: number): Promise<Started> {
    let member: GroupMember | undefined;
    let stopped = false;
    let delay = RESTART_MS.first;
    let timer: NodeJS.Timeout | undefined;
    const join = async (): Promise<void> => {
      const model = await this.connection.get();
      const current: GroupMember = new GroupMember(model, {
        group,
        topics: new Map([...topics].map(([name, t]) => [name, t.partitions])),
        fromBeginning,
        prefetch: this.options.prefetch,
        commitEveryMs: commitEveryMs ?? this.options.commitEveryMs,
        sink,
        failed: (error) => {
          if (stopped || member !== current) return;
          member = undefined;
          this.down.add(group);
          this.logger.error({ err: error, group, retryInMs: delay }, 'group member failed; joining again');
          void current.abandon();
          schedule();
        },
      });
      member = current;
      try {
        await current.start();
      } catch (error) {
        if (member === current) member = undefined;
        await current.abandon();
        throw error;
      }
      this.down.delete(group);
      delay = RESTART_MS.first;
    };
    const schedule = (): void => {
      if (stopped) return;
      timer = setTimeout(() => {
        join().catch((error: unknown) => {
          this.logger.warn({ err: error, group }, 'joining the group failed');
          delay = Math.min(delay * 2, RESTART_MS.max);
          schedule();
        });
      }, delay);
    };
    for (const deadline = Date.now() + FIRST_JOIN_MS; ; ) {
      try {
        await join();
        break;
      } catch (error) {
        if (stopped || Date.now() + delay > deadline) throw error;
        this.logger.warn({ err: error, group, retryInMs: delay }, 'joining the group failed; trying again');
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, RESTART_MS.max);
      }
    }
    const first = member;
    return {
      ready: first ? first.settled() : Promise.reject(new Error(`the first member of ${group} failed`)),
      stop: async () => {
        stopped = true;
        clearTimeout(timer);
        this.down.delete(group);
        await member?.stop();
        this.logger.log(`consumer ${group} stopped`);
      },
    };
  }

  /** Every partition of every topic from the next record on; no lease, no commit. */
  private async startBroadcast(group: string, topics: readonly (readonly [string, number])[], sink: MemberSink): Promise<Started> {
    const model = await this.connection.get();
    const readers: StreamReader[] = [];
    let stopped = false;
    for (const [topic, partitions] of topics) {
      for (let p = 0; p < partitions; p++) {
        const reader: StreamReader = new StreamReader(model, {
          stream: streamName(topic, p),
          start: 'next',
          prefetch: this.options.prefetch,
          deliver: (messages) => sink.deliver(topic, p, messages, reader),
          lost: (error) => {
            if (stopped) return;
            // Read on after the outage from where the reader stopped (StreamReader.reattach).
            this.down.add(group);
            this.logger.error({ err: error, group, stream: streamName(topic, p) }, 'broadcast reader lost; reading on from where it stopped once the broker answers');
            void this.reopen(reader, group);
          },
        });
        readers.push(reader);
      }
    }
    await Promise.all(readers.map((r) => r.start()));
    return {
      // Subscribed at 'next': everything published from now on is read.
      ready: Promise.resolve(),
      stop: async () => {
        stopped = true;
        this.down.delete(group);
        await Promise.all(readers.map((r) => r.stop()));
        this.logger.log(`consumer ${group} stopped`);
      },
    };
  }

  private async reopen(reader: StreamReader, group: string): Promise<void> {
    // A paused-and-resumed reader re-subscribes; on a new connection after an outage.
    for (let delay = RESTART_MS.first; reader.running; delay = Math.min(delay * 2, RESTART_MS.max)) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      try {
        await reader.reattach(await this.connection.get());
        this.down.delete(group);
        return;
      } catch (error) {
        this.logger.warn({ err: error, group }, 'broadcast reader could not reattach');
      }
    }
  }

  private register(groupId: string, ready: Promise<void>, stop: () => Promise<void>): ConsumerHandle {
    let stopping: Promise<void> | undefined;
    // Callers that never look at `ready` must not see an unhandled rejection.
    ready.catch(() => undefined);
    const handle: ConsumerHandle = {
      groupId,
      ready,
      stop: () => {
        stopping ??= stop().finally(() => this.handles.delete(handle));
        return stopping;
      },
    };
    this.handles.add(handle);
    return handle;
  }
}
