// A broadcast consumer: every gateway instance reads every record, from the latest offset. Its
// start waits until the consumer has joined its group and resolved its offsets, so the gateway
// listens (and reports ready) only once no record published from then on can be missed, e.g. the
// reply to a command this instance is about to send. Readiness afterwards is the `kafka` check of
// @chat/kafka, which fails when a consumer group crashed for good.
import { Logger } from '@nestjs/common';
import { type TopicDefinition } from '@chat/contracts';
import { type BatchHandler, type ConsumerHandle, type BusConsumers, type RecordHandler } from '@chat/kafka';
import { withTimeout } from '@chat/service-kit';

export interface BroadcastSubscriptionOptions<T extends TopicDefinition> {
  /** Names the consumer group prefix: `gateway.<name>`. */
  name: string;
  topics: readonly T[];
  /** Each record; or, with `batch`, a partition's records at a time (one offset resolution per group). */
  handler: RecordHandler<T> | { batch: BatchHandler<T> };
  partitionsConsumedConcurrently?: number;
  /** How long joining may take before the start fails. Default 60 s. */
  joinTimeoutMs?: number;
}

export class BroadcastSubscription<T extends TopicDefinition> {
  private readonly logger: Logger;
  private handle: ConsumerHandle | undefined;
  private ready = false;

  constructor(
    private readonly options: BroadcastSubscriptionOptions<T>,
    private readonly consumers: BusConsumers,
  ) {
    this.logger = new Logger(`Broadcast:${options.name}`);
  }

  get isReady(): boolean {
    return this.ready;
  }

  async start(): Promise<void> {
    const handle = await this.consumers.consume({
      groupId: `gateway.${this.options.name}`,
      topics: this.options.topics,
      broadcast: true,
      // Handlers catch their own errors: there is nothing a retry would fix.
      retry: { maxAttempts: 1 },
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      ...(typeof this.options.handler === 'function' ? { handler: this.options.handler } : { batchHandler: this.options.handler.batch, maxBatchSize: 500 }),
    });
    this.handle = handle;
    await withTimeout(handle.ready, this.options.joinTimeoutMs ?? 60_000, `${this.options.name} consumer group join`);
    this.ready = true;
    this.logger.log(`consuming ${this.options.topics.map((t) => t.name).join(', ')} as ${handle.groupId}`);
  }

  async stop(): Promise<void> {
    this.ready = false;
    await this.handle?.stop();
  }
}
