// Starts consumer groups and stops them all when the application shuts down (onModuleDestroy:
// before the HTTP server closes and before the producer disconnects, so a handler in flight can
// still publish). Delivery rules live in PartitionProcessor; this file binds them to kafkajs.
//
// Commit strategy: eachBatch with automatic resolution off. The processor resolves an offset only
// once its record was handled (or dead-lettered); kafkajs commits resolved offsets — and only
// those — every `autoCommitThreshold` records or `autoCommitIntervalMs`, at the end of each
// batch, before a rebalance, and when the consumer stops. A crash therefore replays at most the
// records handled since the last commit (at-least-once: handlers must be idempotent), and never
// skips one that was not handled.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { type TopicDefinition } from '@chat/contracts';
import { type Consumer, type PartitionAssigner } from 'kafkajs';
import { KafkaClients } from '../kafka-clients';
import { KAFKA_OPTIONS, physicalName, type ResolvedKafkaOptions } from '../kafka.options';
import { CoPartitionedAssigner } from './co-partitioned.assigner';
import { type ConsumeOptions, type ConsumerHandle, type PipelineConsumeOptions } from './consume.options';
import { DeadLetterPublisher } from './dead-letter.publisher';
import { type Delivery, PartitionProcessor } from './partition.processor';
import { PipelineRunner } from './pipeline.runner';

const DEFAULT_MAX_BATCH_SIZE = 100;

@Injectable()
export class KafkaConsumerFactory implements OnModuleDestroy {
  private readonly logger = new Logger('KafkaConsumer');
  private readonly handles = new Set<ConsumerHandle>();
  private readonly crashed = new Set<string>();

  constructor(
    private readonly clients: KafkaClients,
    @Inject(KAFKA_OPTIONS) private readonly options: ResolvedKafkaOptions,
    private readonly deadLetters: DeadLetterPublisher,
  ) {}

  /** Joins the group and starts delivering; resolves once the consumer runs (see `handle.ready`). */
  async consume<T extends TopicDefinition>(options: ConsumeOptions<T>): Promise<ConsumerHandle> {
    if (options.topics.length === 0) throw new Error('consume needs at least one topic');
    if (options.broadcast && options.fromBeginning) throw new Error('a broadcast consumer always starts at the latest offsets');
    const requested = physicalName(this.options, options.groupId);
    const groupId = options.broadcast ? `${requested}.${this.options.clientId}.${randomUUID().slice(0, 8)}` : requested;
    const topics = new Map(options.topics.map((t) => [physicalName(this.options, t.name), t]));
    const tuning = this.options.consumer;
    const consumer = this.newConsumer(groupId);
    const processor = new PartitionProcessor({
      groupId,
      topics,
      delivery: this.delivery(options),
      retry: { ...this.options.handlerRetry, ...options.retry },
      deadLetters: this.deadLetters,
      heartbeatEveryMs: tuning.heartbeatIntervalMs,
    });
    const ready = this.watchReadiness(consumer, groupId);

    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [...topics.keys()], fromBeginning: options.fromBeginning ?? false });
      // A broadcast group is never joined again, so it commits nothing (no commit round trips).
      const commits = !(options.broadcast ?? false);
      await consumer.run({
        autoCommit: commits,
        autoCommitInterval: tuning.autoCommitIntervalMs,
        autoCommitThreshold: tuning.autoCommitThreshold,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
        eachBatch: async (payload) => {
          await processor.process(payload.batch, {
            resolveOffset: (offset) => payload.resolveOffset(offset),
            commitOffsetsIfNecessary: () => (commits ? payload.commitOffsetsIfNecessary() : Promise.resolve()),
            heartbeat: () => payload.heartbeat(),
            isRunning: () => payload.isRunning(),
            isStale: () => payload.isStale(),
          });
        },
      });
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }

    const handle = this.register(groupId, ready, () => this.stop(consumer, groupId, options.broadcast ?? false));
    this.logger.log(`consuming ${[...topics.keys()].join(', ')} as ${groupId}`);
    return handle;
  }

  /**
   * A pipelined consumer (see PartitionPipeline): every fetched record is resolved at once (kafkajs
   * fetches on from there) and nothing is committed by kafkajs itself; a timer commits, per
   * partition, up to the lowest record the pipeline has not finished.
   */
  async consumePipeline<T extends TopicDefinition>(options: PipelineConsumeOptions<T>): Promise<ConsumerHandle> {
    const groupId = physicalName(this.options, options.groupId);
    const topics = new Map(options.topics.map((t) => [physicalName(this.options, t.name), t]));
    const consumer = this.newConsumer(groupId, options.coPartitioned ? [CoPartitionedAssigner] : undefined);
    const runner = new PipelineRunner(groupId, topics, options.pipeline, this.deadLetters);
    consumer.on(consumer.events.GROUP_JOIN, (event) => runner.joined(event.payload.memberAssignment));
    const ready = this.watchReadiness(consumer, groupId);
    const commit = async (): Promise<void> => {
      const requests = runner.commits();
      if (requests.length === 0) return;
      try {
        await consumer.commitOffsets(requests);
      } catch (error) {
        // A rebalance in progress, or the broker away: the next commit carries the same or higher offsets.
        this.logger.debug({ err: error, groupId }, 'offset commit failed; retried with the next one');
      }
    };
    const timer = setInterval(() => void commit(), options.commitEveryMs ?? 200);
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [...topics.keys()], fromBeginning: options.fromBeginning ?? false });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: true,
        partitionsConsumedConcurrently: Math.max(1, ...options.topics.map((t) => t.partitions)),
        eachBatch: async ({ batch }) => runner.batch(batch.topic, batch.partition, batch.messages),
      });
    } catch (error) {
      clearInterval(timer);
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }

    const handle = this.register(groupId, ready, async () => {
      clearInterval(timer);
      await commit();
      await this.stop(consumer, groupId, false);
    });
    this.logger.log(`consuming ${[...topics.keys()].join(', ')} as ${groupId} (pipelined${options.coPartitioned ? ', co-partitioned' : ''})`);
    return handle;
  }

  /** A handle whose stop runs once and forgets the consumer; stopped with the module. */
  private register(groupId: string, ready: Promise<void>, stop: () => Promise<void>): ConsumerHandle {
    let stopping: Promise<void> | undefined;
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

  private newConsumer(groupId: string, partitionAssigners?: PartitionAssigner[]): Consumer {
    const tuning = this.options.consumer;
    return this.clients.main.consumer({
      groupId,
      sessionTimeout: tuning.sessionTimeoutMs,
      heartbeatInterval: tuning.heartbeatIntervalMs,
      rebalanceTimeout: tuning.rebalanceTimeoutMs,
      maxWaitTimeInMs: tuning.maxWaitTimeMs,
      allowAutoTopicCreation: false,
      ...(partitionAssigners ? { partitionAssigners } : {}),
    });
  }

  /** Groups whose consumer crashed and will not be restarted; readiness reports them. */
  crashedGroups(): string[] {
    return [...this.crashed];
  }

  async onModuleDestroy(): Promise<void> {
    const results = await Promise.allSettled([...this.handles].map((handle) => handle.stop()));
    for (const result of results) {
      if (result.status === 'rejected') this.logger.error({ err: result.reason as unknown }, 'a consumer did not stop cleanly');
    }
  }

  private delivery<T extends TopicDefinition>(options: ConsumeOptions<T>): Delivery<T> {
    if (options.batchHandler) {
      return { mode: 'batch', handler: options.batchHandler, maxBatchSize: options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE };
    }
    return { mode: 'record', handler: options.handler };
  }

  /** Settles once the group was joined and the first fetch (which resolves start offsets) answered. */
  private watchReadiness(consumer: Consumer, groupId: string): Promise<void> {
    const ready = new Promise<void>((resolve, reject) => {
      let joined = false;
      const removers: (() => void)[] = [];
      const settle = (error?: Error): void => {
        removers.forEach((remove) => remove());
        if (error) reject(error);
        else resolve();
      };
      removers.push(
        consumer.on(consumer.events.GROUP_JOIN, (event) => {
          joined = true;
          // A member without partitions never fetches; it is as ready as it will get.
          if (Object.keys(event.payload.memberAssignment).length === 0) settle();
        }),
        consumer.on(consumer.events.FETCH, () => {
          if (joined) settle();
        }),
        consumer.on(consumer.events.CRASH, (event) => {
          if (!event.payload.restart) settle(event.payload.error);
        }),
      );
    });
    consumer.on(consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload;
      if (!restart) this.crashed.add(groupId);
      this.logger.error({ err: error, groupId, restart }, restart ? 'consumer crashed; kafkajs restarts it' : 'consumer crashed for good');
    });
    // Callers that never look at `ready` must not see an unhandled rejection.
    ready.catch(() => undefined);
    return ready;
  }

  private async stop(consumer: Consumer, groupId: string, broadcast: boolean): Promise<void> {
    // disconnect() stops the fetch loop, waits for the batch in hand (the processor stops after
    // its current record), commits what was resolved and leaves the group.
    await consumer.disconnect();
    if (broadcast) await this.deleteGroup(groupId);
    this.logger.log(`consumer ${groupId} stopped`);
  }

  /** A broadcast group is never joined again; deleting it keeps the broker's group list short. */
  private async deleteGroup(groupId: string): Promise<void> {
    const admin = this.clients.main.admin();
    try {
      await admin.connect();
      await admin.deleteGroups([groupId]);
    } catch (error) {
      this.logger.warn({ err: error, groupId }, 'could not delete a broadcast consumer group (the broker expires it)');
    } finally {
      await admin.disconnect();
    }
  }
}
