// What every transport derives from ConsumeOptions in the same way: the group's names, the
// subscribed topics by their name in the cluster, and the PartitionProcessor that decodes,
// retries, pauses and dead-letters for it. The transports differ only in how records arrive.
import { randomUUID } from 'node:crypto';
import { type TopicDefinition } from '@chat/contracts';
import { physicalName } from '../kafka.options';
import { type ConsumeOptions } from './consume.options';
import { type ConsumerMetrics } from './consumer.metrics';
import { type DeadLetterSink } from './dead-letter';
import { type Delivery, PartitionProcessor } from './partition.processor';
import { type RetryPolicy } from './retry.policy';

const DEFAULT_MAX_BATCH_SIZE = 100;

export interface ConsumerContext {
  topicPrefix: string;
  /** Names this process in a broadcast group's id. */
  clientId: string;
  handlerRetry: RetryPolicy;
  deadLetters: DeadLetterSink;
  metrics: ConsumerMetrics;
  heartbeatEveryMs?: number;
}

export interface ConsumerPlan<T extends TopicDefinition> {
  /** The group asked for, prefixed: what metrics and logs name. */
  requested: string;
  /** The group joined (unique to this process and start when broadcast). */
  groupId: string;
  topics: Map<string, T>;
  processor: PartitionProcessor<T>;
}

export function planConsumer<T extends TopicDefinition>(options: ConsumeOptions<T>, context: ConsumerContext): ConsumerPlan<T> {
  if (options.topics.length === 0) throw new Error('consume needs at least one topic');
  if (options.broadcast && options.fromBeginning) throw new Error('a broadcast consumer always starts at the latest offsets');
  const requested = physicalName(context, options.groupId);
  const groupId = options.broadcast ? `${requested}.${context.clientId}.${randomUUID().slice(0, 8)}` : requested;
  const topics = new Map(options.topics.map((t) => [physicalName(context, t.name), t]));
  const processor = new PartitionProcessor({
    groupId,
    topics,
    delivery: deliveryOf(options),
    retry: { ...context.handlerRetry, ...options.retry },
    deadLetters: context.deadLetters,
    metrics: {
      handlerFailed: (topic) => context.metrics.handlerFailures.inc({ group: requested, topic }),
      pausedPartitions: (count) => context.metrics.pausedPartitions.set({ group: requested }, count),
    },
    ...(context.heartbeatEveryMs !== undefined ? { heartbeatEveryMs: context.heartbeatEveryMs } : {}),
  });
  return { requested, groupId, topics, processor };
}

function deliveryOf<T extends TopicDefinition>(options: ConsumeOptions<T>): Delivery<T> {
  if (options.batchHandler) return { mode: 'batch', handler: options.batchHandler, maxBatchSize: options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE };
  return { mode: 'record', handler: options.handler };
}
