// The delivery rules of one fetched batch of one partition, independent of the Kafka client:
//   - records are handled strictly in offset order;
//   - a value that is not JSON or fails the topic's schema is dead-lettered and skipped: a poison
//     pill never blocks its partition;
//   - a handler that throws NonRetriableError has its record dead-lettered at once: it can never
//     succeed, so it must not hold the records behind it;
//   - any other failure is taken for an outage of an engine the handler needs: the partition is
//     paused (PartitionBackoff), what was handled before the failure is committed, and the failing
//     record is fetched and tried again after a growing backoff, for as long as it takes (or until
//     the policy's `maxAttempts`, unbounded by default, are spent; then it is dead-lettered). An
//     outage therefore delays records and never drops them; the paused-partitions gauge and the
//     handler-failure counter show it;
//   - an offset is resolved (hence committed) only after its record was handled or dead-lettered;
//     if dead-lettering itself fails the error propagates, the record stays unresolved, and the
//     client re-fetches it: nothing is skipped without a trace. Resolving is local; the commit
//     request goes out after the batch (record mode) or after each group (batch mode), when the
//     client's threshold or interval says so, never awaited once per record: a commit round trip
//     per record made a busy consumer lag by seconds;
//   - a consumer that is stopping finishes the record in hand and leaves the rest unresolved for
//     the next owner of the partition;
//   - while a batch is processed the consumer keeps heartbeating (every `heartbeatEveryMs`), so a
//     long batch under load does not get its member evicted from the group (which rebalances and
//     replays everything uncommitted, making the load worse). A heartbeat that fails (a rebalance
//     began) stops the batch after the record in hand and is rethrown, so the client rejoins.
import { Logger } from '@nestjs/common';
import { type TopicDefinition } from '@chat/contracts';
import { type DecodeFailureReason, decodeHeaders, decodeValue } from '../codec/record.codec';
import { type BatchHandler, type ConsumedRecord, type RecordHandler, type RecordOf } from './consume.options';
import { type DeadLetterSink, describeError, type RawMessage } from './dead-letter';
import { PartitionBackoff, type PauseFn } from './partition-backoff';
import { isPermanentFailure, type RetryPolicy } from './retry.policy';

export interface PartitionBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly RawMessage[];
}

/** The client's controls over the batch in hand (kafkajs's eachBatch payload has this shape). */
export interface BatchControls {
  resolveOffset(offset: string): void;
  commitOffsetsIfNecessary(): Promise<void>;
  /** Keeps the consumer in its group during long batches; throws when the group is rebalancing. */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping: the rest of the batch is left unresolved. */
  isRunning(): boolean;
  /** True when the partition was re-positioned (seek) and the rest of the batch is obsolete. */
  isStale(): boolean;
  /** Stops fetching this partition; returns the function that resumes it. */
  pause: PauseFn;
}

export type Delivery<T extends TopicDefinition> =
  | { mode: 'record'; handler: RecordHandler<T> }
  | { mode: 'batch'; handler: BatchHandler<T>; maxBatchSize: number };

/** What the processor reports to the service's metrics. */
export interface ProcessorMetrics {
  /** A handler failed and its partition was paused to try again. */
  handlerFailed(topic: string): void;
  /** Partitions of this consumer paused right now. */
  pausedPartitions(count: number): void;
}

export interface PartitionProcessorOptions<T extends TopicDefinition> {
  groupId: string;
  /** Definitions by the topic's name in the cluster (prefix included). */
  topics: ReadonlyMap<string, T>;
  delivery: Delivery<T>;
  retry: RetryPolicy;
  deadLetters: DeadLetterSink;
  metrics?: ProcessorMetrics;
  /** Heartbeats while a batch is processed; the client itself throttles them to its heartbeat interval. */
  heartbeatEveryMs?: number;
  random?: () => number;
}

const DEFAULT_HEARTBEAT_EVERY_MS = 1_000;

export type Decoded<T extends TopicDefinition> = { ok: true; record: RecordOf<T> } | { ok: false; reason: DecodeFailureReason; error: string };

/** A fetched record as its topic's validated value, or why it is not one. */
export function decodeRecord<T extends TopicDefinition>(definition: T, batch: Pick<PartitionBatch, 'topic' | 'partition'>, message: RawMessage): Decoded<T> {
  const result = decodeValue(definition, message.value);
  if (!result.ok) return result;
  const record: ConsumedRecord<T> = {
    topic: batch.topic,
    definition,
    partition: batch.partition,
    offset: message.offset,
    key: message.key === null ? null : message.key.toString('utf8'),
    value: result.value,
    headers: decodeHeaders(message.headers),
    timestamp: Number(message.timestamp),
  };
  // RecordOf<T> distributes over the union T; the definition found by name is the member that applies.
  return { ok: true, record: record as RecordOf<T> };
}

/** What became of records whose handler threw. */
type FailureOutcome = 'dead-lettered' | 'paused';

export class PartitionProcessor<T extends TopicDefinition> {
  private readonly logger = new Logger('KafkaConsumer');
  private readonly backoff: PartitionBackoff;

  constructor(private readonly options: PartitionProcessorOptions<T>) {
    this.backoff = new PartitionBackoff(options.retry, {
      ...(options.random ? { random: options.random } : {}),
      onResume: () => options.metrics?.pausedPartitions(this.backoff.paused),
    });
  }

  async process(batch: PartitionBatch, client: BatchControls): Promise<void> {
    const definition = this.options.topics.get(batch.topic);
    if (!definition) throw new Error(`received a record of ${batch.topic}, which this consumer did not subscribe to`);
    // Fetched before its partition was paused: the records are fetched again after the resume.
    if (this.backoff.isPaused(batch)) return;
    const alive = new KeepAlive(client, this.options.heartbeatEveryMs ?? DEFAULT_HEARTBEAT_EVERY_MS);
    const controls: BatchControls = {
      resolveOffset: (offset) => client.resolveOffset(offset),
      commitOffsetsIfNecessary: () => client.commitOffsetsIfNecessary(),
      heartbeat: () => client.heartbeat(),
      isStale: () => client.isStale(),
      pause: () => client.pause(),
      // The loops below stop, as when the consumer stops, once a heartbeat failed.
      isRunning: () => client.isRunning() && alive.failure === undefined,
    };
    try {
      if (this.options.delivery.mode === 'record') {
        await this.processRecords(definition, batch, controls, this.options.delivery.handler);
      } else {
        await this.processGroups(definition, batch, controls, this.options.delivery.handler, this.options.delivery.maxBatchSize);
      }
    } finally {
      alive.stop();
    }
    if (alive.failure !== undefined) throw alive.failure;
  }

  /** Forgets pending resumes: the consumer is stopping. */
  close(): void {
    this.backoff.close();
    this.options.metrics?.pausedPartitions(0);
  }

  private async processRecords(definition: T, batch: PartitionBatch, controls: BatchControls, handler: RecordHandler<T>): Promise<void> {
    for (const message of batch.messages) {
      if (!controls.isRunning() || controls.isStale()) return;
      const decoded = this.decode(definition, batch, message);
      if (decoded.ok) {
        const result = await attempt(() => handler(decoded.record));
        if (result.failed && (await this.onFailure(batch, [message], result.error, controls)) === 'paused') break;
      } else {
        await this.deadLetterInvalid(batch, message, decoded);
      }
      controls.resolveOffset(message.offset);
      this.finished(batch, message);
    }
    await controls.commitOffsetsIfNecessary();
  }

  private async processGroups(
    definition: T,
    batch: PartitionBatch,
    controls: BatchControls,
    handler: BatchHandler<T>,
    maxBatchSize: number,
  ): Promise<void> {
    for (let start = 0; start < batch.messages.length; start += maxBatchSize) {
      if (!controls.isRunning() || controls.isStale()) return;
      const group = batch.messages.slice(start, start + maxBatchSize);
      const valid: { record: RecordOf<T>; message: RawMessage }[] = [];
      const invalid: { message: RawMessage; failure: { reason: DecodeFailureReason; error: string } }[] = [];
      for (const message of group) {
        const decoded = this.decode(definition, batch, message);
        if (decoded.ok) valid.push({ record: decoded.record, message });
        else invalid.push({ message, failure: decoded });
      }
      if (valid.length > 0) {
        const result = await attempt(() => handler(valid.map((v) => v.record)));
        if (result.failed && (await this.onFailure(batch, valid.map((v) => v.message), result.error, controls)) === 'paused') {
          // The group is fetched again from its first record after the resume.
          await controls.commitOffsetsIfNecessary();
          return;
        }
      }
      // Parked only once the group is settled, so a paused group does not park its invalid records twice.
      for (const { message, failure } of invalid) await this.deadLetterInvalid(batch, message, failure);
      const last = group[group.length - 1];
      controls.resolveOffset(last.offset);
      this.finished(batch, last);
      await controls.commitOffsetsIfNecessary();
    }
  }

  private decode(definition: T, batch: PartitionBatch, message: RawMessage): Decoded<T> {
    return decodeRecord(definition, batch, message);
  }

  /** Parks the records when they can never succeed (or the attempts are spent), else pauses the partition. */
  private async onFailure(batch: PartitionBatch, messages: readonly RawMessage[], error: unknown, controls: BatchControls): Promise<FailureOutcome> {
    const first = messages[0];
    const where = { topic: batch.topic, partition: batch.partition, offset: first.offset, groupId: this.options.groupId };
    if (isPermanentFailure(error)) {
      const { attempts } = this.backoff.succeeded(batch);
      for (const message of messages) await this.deadLetterFailure(batch, message, attempts + 1, error);
      return 'dead-lettered';
    }
    const verdict = this.backoff.failed(batch, first.offset, controls.pause);
    if (verdict.kind === 'give-up') {
      for (const message of messages) await this.deadLetterFailure(batch, message, verdict.attempts, error);
      return 'dead-lettered';
    }
    this.options.metrics?.handlerFailed(batch.topic);
    this.options.metrics?.pausedPartitions(this.backoff.paused);
    this.logger.warn(
      { ...where, attempt: verdict.attempts, delayMs: verdict.delayMs, error: describeError(error) },
      'handler failed; partition paused, the record is tried again',
    );
    return 'paused';
  }

  /** The record (or the last of a group) is finished: a partition that was failing has recovered. */
  private finished(batch: PartitionBatch, message: RawMessage): void {
    const { attempts, afterMs } = this.backoff.succeeded(batch);
    if (attempts > 0) {
      this.logger.log(
        { topic: batch.topic, partition: batch.partition, offset: message.offset, groupId: this.options.groupId, failedAttempts: attempts, afterMs },
        'partition recovered',
      );
    }
  }

  private async deadLetterInvalid(
    batch: PartitionBatch,
    message: RawMessage,
    failure: { reason: DecodeFailureReason; error: string },
  ): Promise<void> {
    this.logger.warn(
      { topic: batch.topic, partition: batch.partition, offset: message.offset, reason: failure.reason, error: failure.error },
      'invalid record dead-lettered',
    );
    await this.options.deadLetters.send({
      topic: batch.topic,
      partition: batch.partition,
      message,
      groupId: this.options.groupId,
      reason: failure.reason,
      error: failure.error,
      attempts: 0,
    });
  }

  private async deadLetterFailure(batch: PartitionBatch, message: RawMessage, attempts: number, failure: unknown): Promise<void> {
    const error = describeError(failure);
    this.logger.error(
      { topic: batch.topic, partition: batch.partition, offset: message.offset, attempts, error },
      'handler failed for good; record dead-lettered',
    );
    await this.options.deadLetters.send({
      topic: batch.topic,
      partition: batch.partition,
      message,
      groupId: this.options.groupId,
      reason: 'handler-failed',
      error,
      attempts,
    });
  }
}

async function attempt(work: () => Promise<void>): Promise<{ failed: false } | { failed: true; error: unknown }> {
  try {
    await work();
    return { failed: false };
  } catch (error) {
    return { failed: true, error };
  }
}

/** Heartbeats on a timer while a batch is processed; remembers the first failure. */
class KeepAlive {
  failure: Error | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(controls: Pick<BatchControls, 'heartbeat'>, everyMs: number) {
    this.timer = setInterval(() => {
      controls.heartbeat().catch((error: unknown) => {
        this.failure ??= error instanceof Error ? error : new Error(describeError(error));
      });
    }, everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
