// Runs the after-store steps of the send pipeline (SendSteps.after: search index, ledgers, thread
// summaries, by-id index, file shares) on chat.message.created.v1, in its own consumer group
// `<MESSAGING_CONSUMER_GROUP>.projections`: the live path (store, delivery) never waits for it.
// Each batch of a partition goes to every step side by side; a step that fails makes the whole
// batch retry (every step is idempotent, so the steps that succeeded just rewrite the same cells),
// and the offsets are committed only once every step has applied the batch.
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { type Message, MessageCreatedTopic } from '@chat/contracts';
import { type ConsumerHandle, KafkaConsumerFactory, type RecordOf } from '@chat/kafka';
import { APP_CONFIG } from '@chat/service-kit';
import { type MessagingConfig } from '../config';
import { SendSteps } from '../pipeline/send-steps';

/** Records of one partition handed to the steps at once. */
const MESSAGES_PER_BATCH = 500;

@Injectable()
export class ProjectionsConsumer implements OnApplicationBootstrap {
  private readonly logger = new Logger('ProjectionsConsumer');
  private handle: ConsumerHandle | undefined;

  constructor(
    private readonly consumers: KafkaConsumerFactory,
    private readonly steps: SendSteps,
    @Inject(APP_CONFIG) private readonly config: MessagingConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.handle = await this.consumers.consume({
      groupId: `${this.config.MESSAGING_CONSUMER_GROUP}.projections`,
      topics: [MessageCreatedTopic],
      fromBeginning: this.config.MESSAGING_CONSUME_FROM_BEGINNING,
      partitionsConsumedConcurrently: MessageCreatedTopic.partitions,
      batchHandler: (records) => this.onBatch(records),
      maxBatchSize: MESSAGES_PER_BATCH,
    });
  }

  /** Settles once the consumer has joined its group and fetched. */
  ready(): Promise<void> {
    return this.handle ? this.handle.ready : Promise.reject(new Error('the projections consumer has not started'));
  }

  private async onBatch(records: readonly RecordOf<typeof MessageCreatedTopic>[]): Promise<void> {
    await applySteps(this.steps, distinct(records.map((r) => r.value.message)), (step, error) =>
      this.logger.warn({ err: error, step, records: records.length }, 'an after-store step failed; the batch is retried'),
    );
  }
}

/**
 * Runs every after-store step on `messages` side by side; throws the first failure once all have
 * settled (so no step is still writing when the batch is retried).
 */
export async function applySteps(steps: SendSteps, messages: readonly Message[], onFailure: (step: string, error: unknown) => void): Promise<void> {
  if (messages.length === 0) return;
  const results = await Promise.allSettled(steps.after.map((step) => step.apply(messages)));
  const failures = results.flatMap((result, i) => (result.status === 'rejected' ? [{ step: steps.after[i]?.name ?? 'unknown', error: result.reason as unknown }] : []));
  for (const { step, error } of failures) onFailure(step, error);
  if (failures[0]) throw failures[0].error;
}

/**
 * The messages of a batch once each: a redelivered or re-announced message (same channel and
 * seq) keeps its last copy. Order is kept (each channel's in seq order).
 */
export function distinct(messages: readonly Message[]): Message[] {
  const last = new Map<string, Message>();
  for (const message of messages) last.set(`${message.channelId}/${message.seq}`, message);
  return messages.filter((m) => last.get(`${m.channelId}/${m.seq}`) === m);
}
