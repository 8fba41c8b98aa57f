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
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { type TopicDefinition } from '@chat/contracts';
import { type Consumer, type PartitionAssigner } from 'kafkajs';
import { type BusConsumers } from '../bus/bus';
import { KafkaClients } from '../kafka-clients';
import { KAFKA_OPTIONS, physicalName, type ResolvedKafkaOptions } from '../kafka.options';
import { BroadcastPositions } from './broadcast-positions';
import { CoPartitionedAssigner } from './co-partitioned.assigner';
import { ConsumerMetrics } from './consumer.metrics';
import { ConsumerRestarts } from './consumer-restarts';
import { type ConsumeOptions, type ConsumerHandle, type PipelineConsumeOptions } from './consume.options';
import { DeadLetterPublisher } from './dead-letter.publisher';
import { planConsumer } from './consumer-plan';
import { type PartitionProcessor } from './partition.processor';
import { PipelineRunner } from './pipeline.runner';
import { RejoinWatch } from './rejoin-watch';


@Injectable()
export class KafkaConsumerFactory implements BusConsumers, OnModuleDestroy {
  private readonly logger = new Logger('KafkaConsumer');
  private readonly handles = new Set<ConsumerHandle>();
  /** Pipelined consumers that crashed for good (they are not restarted). */
  private readonly crashed = new Set<string>();
  /** Classic consumers down until their restart. */
  private readonly down = new Set<string>();
  /** Classic consumers whose restarts are spent. */
  private readonly givenUp = new Set<string>();

  constructor(
    private readonly clients: KafkaClients,
    @Inject(KAFKA_OPTIONS) private readonly options: ResolvedKafkaOptions,
    private readonly deadLetters: DeadLetterPublisher,
    private readonly metrics: ConsumerMetrics,
  ) {}

  /**
   * Joins the group and starts delivering; resolves once the consumer runs (see `handle.ready`).
   * A consumer that crashes for good is started again (ConsumerRestarts); while it is down the
   * process is unready, and once its restarts are spent the process is not live.
   */
  async consume<T extends TopicDefinition>(options: ConsumeOptions<T>): Promise<ConsumerHandle> {
    const { requested, groupId, topics, processor } = planConsumer(options, {
      ...this.options,
      deadLetters: this.deadLetters,
      metrics: this.metrics,
      heartbeatEveryMs: this.options.consumer.heartbeatIntervalMs,
    });

    let consumer: Consumer | undefined;
    let watch: RejoinWatch | undefined;
    let stopped = false;
    // A broadcast group commits nothing: every join after the first resumes from these.
    const positions = options.broadcast ? new BroadcastPositions() : undefined;
    const startClient = async (client: Consumer): Promise<void> => {
      consumer = client;
      watch?.close();
      const rejoinMs = this.options.consumerRestart.rejoinTimeoutMs;
      const clientWatch = new RejoinWatch(rejoinMs, () => {
        if (client !== consumer || stopped) return;
        this.logger.error({ groupId, rejoinMs }, 'kafkajs restarted the consumer, which has not fetched since; starting a fresh one');
        // Not awaited: a consumer in this state may never finish disconnecting.
        void client.disconnect().catch(() => undefined);
        restarts.crashed(new Error(`the consumer of ${groupId} has not fetched for ${rejoinMs} ms since kafkajs restarted it`));
      });
      watch = clientWatch;
      client.on(client.events.GROUP_JOIN, (event) => {
        clientWatch.fetched();
        for (const seek of positions?.seeks(event.payload.memberAssignment) ?? []) client.seek(seek);
      });
      client.on(client.events.FETCH_START, () => clientWatch.fetched());
      client.on(client.events.CRASH, (event) => {
        const { error, restart } = event.payload;
        if (restart) {
          this.logger.warn({ err: error, groupId }, 'consumer crashed; kafkajs restarts it');
          clientWatch.restarting();
        } else {
          clientWatch.close();
          if (client === consumer && !stopped) restarts.crashed(error);
        }
      });
      try {
        await this.runClassic(client, options, topics, processor, positions);
      } catch (error) {
        await client.disconnect().catch(() => undefined);
        throw error;
      }
      // Stopped while a restart was starting it.
      if (stopped) await client.disconnect();
    };
    const restarts = new ConsumerRestarts(this.options.consumerRestart, () => startClient(this.newConsumer(groupId)), {
      scheduled: (attempt, delayMs, error) => {
        this.down.add(groupId);
        this.metrics.down.set({ group: requested }, 1);
        this.logger.error({ err: error, groupId, attempt, delayMs }, 'consumer crashed for good; starting it again');
      },
      restarted: (attempt) => {
        this.down.delete(groupId);
        this.metrics.down.set({ group: requested }, 0);
        this.metrics.restarts.inc({ group: requested });
        this.logger.log({ groupId, attempt }, 'consumer restarted');
      },
      gaveUp: (attempts, error) => {
        this.down.delete(groupId);
        this.givenUp.add(groupId);
        this.logger.fatal({ err: error, groupId, attempts }, 'consumer could not be restarted; liveness fails');
      },
    });

    const first = this.newConsumer(groupId);
    const ready = this.watchReadiness(first);
    await startClient(first);

    const handle = this.register(groupId, ready, async () => {
      stopped = true;
      restarts.stop();
      watch?.close();
      processor.close();
      this.down.delete(groupId);
      if (consumer) await this.stop(consumer, groupId, options.broadcast ?? false);
    });
    this.logger.log(`consuming ${[...topics.keys()].join(', ')} as ${groupId}`);
    return handle;
  }

  private async runClassic<T extends TopicDefinition>(
    consumer: Consumer,
    options: ConsumeOptions<T>,
    topics: ReadonlyMap<string, T>,
    processor: PartitionProcessor<T>,
    positions: BroadcastPositions | undefined,
  ): Promise<void> {
    const tuning = this.options.consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics.keys()], fromBeginning: options.fromBeginning ?? false });
    // A broadcast group commits nothing (no commit round trips): it belongs to this process alone,
    // which keeps its positions in memory (BroadcastPositions) for when kafkajs rejoins it.
    const commits = !(options.broadcast ?? false);
    await consumer.run({
      autoCommit: commits,
      autoCommitInterval: tuning.autoCommitIntervalMs,
      autoCommitThreshold: tuning.autoCommitThreshold,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
      eachBatch: async (payload) => {
        await processor.process(payload.batch, {
          resolveOffset: (offset) => {
            payload.resolveOffset(offset);
            positions?.handled(payload.batch.topic, payload.batch.partition, offset);
          },
          commitOffsetsIfNecessary: () => (commits ? payload.commitOffsetsIfNecessary() : Promise.resolve()),
          heartbeat: () => payload.heartbeat(),
          isRunning: () => payload.isRunning(),
          isStale: () => payload.isStale(),
          pause: () => payload.pause(),
        });
      },
    });
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
    const ready = this.watchReadiness(consumer);
    // A pipelined consumer is not restarted in-process (its pipeline's state is per member): one
    // that crashed for good, or that kafkajs restarted and that never fetched again, fails liveness.
    const rejoinMs = this.options.consumerRestart.rejoinTimeoutMs;
    const watch = new RejoinWatch(rejoinMs, () => {
      this.crashed.add(groupId);
      this.logger.fatal({ groupId, rejoinMs }, 'kafkajs restarted the consumer, which has not fetched since; liveness fails');
    });
    consumer.on(consumer.events.GROUP_JOIN, () => watch.fetched());
    consumer.on(consumer.events.FETCH_START, () => watch.fetched());
    consumer.on(consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload;
      if (restart) watch.restarting();
      else {
        watch.close();
        this.crashed.add(groupId);
      }
      this.logger.error({ err: error, groupId, restart }, restart ? 'consumer crashed; kafkajs restarts it' : 'consumer crashed for good');
    });
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
      watch.close();
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

  /** Groups whose consumer is not running (crashed, restarting or given up); readiness reports them. */
  crashedGroups(): string[] {
    return [...this.crashed, ...this.down, ...this.givenUp];
  }

  /** Groups whose consumer crashed for good and will not run again in this process; liveness reports them. */
  deadGroups(): string[] {
    return [...this.crashed, ...this.givenUp];
  }

  async onModuleDestroy(): Promise<void> {
    const results = await Promise.allSettled([...this.handles].map((handle) => handle.stop()));
    for (const result of results) {
      if (result.status === 'rejected') this.logger.error({ err: result.reason as unknown }, 'a consumer did not stop cleanly');
    }
  }

  /** Settles once the group was joined and the first fetch (which resolves start offsets) answered. */
  private watchReadiness(consumer: Consumer): Promise<void> {
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
