// The delivery rules of one fetched batch of one partition, independent of the Kafka client:
//   - records are handled strictly in offset order;
//   - a value that is not JSON or fails the topic's schema is dead-lettered and skipped: a poison
//     pill never blocks its partition;
//   - a handler that throws is retried with backoff; once the attempts are exhausted the record is
//     dead-lettered with the error and the partition moves on. We chose availability over
//     head-of-line blocking: one record that keeps failing (a bug, a bad reference) must not stop
//     every later message of its channel; it stays replayable from the DLQ;
//   - an offset is resolved (hence committed) only after its record was handled or dead-lettered;
//     if dead-lettering itself fails the error propagates, the record stays unresolved, and the
//     client re-fetches it: nothing is skipped without a trace. Resolving is local; the commit
//     request goes out after the batch (record mode) or after each group (batch mode), when the
//     client's threshold or interval says so, never awaited once per record: a commit round trip
//     per record made a busy consumer lag by seconds;
//   - a consumer that is stopping finishes the record in hand, abandons retries, and leaves the
//     rest unresolved for the next owner of the partition;
//   - while a batch is processed the consumer keeps heartbeating (every `heartbeatEveryMs`), so a
//     long batch under load does not get its member evicted from the group (which rebalances and
//     replays everything uncommitted, making the load worse). A heartbeat that fails (a rebalance
//     began) stops the batch after the record in hand and is rethrown, so the client rejoins.
import { Logger } from '@nestjs/common';
import { type TopicDefinition } from '@chat/contracts';
import { type DecodeFailureReason, decodeHeaders, decodeValue } from '../codec/record.codec';
import { type BatchHandler, type ConsumedRecord, type RecordHandler, type RecordOf } from './consume.options';
import { type DeadLetterSink, describeError, type RawMessage } from './dead-letter';
import { type RetryControls, type RetryOutcome, type RetryPolicy, realSleep, runWithRetry } from './retry.policy';

export interface PartitionBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly RawMessage[];
}

/** The client's controls over the batch in hand (kafkajs's eachBatch payload has this shape). */
export interface BatchControls extends RetryControls {
  resolveOffset(offset: string): void;
  commitOffsetsIfNecessary(): Promise<void>;
  /** True when the partition was re-positioned (seek) and the rest of the batch is obsolete. */
  isStale(): boolean;
}

export type Delivery<T extends TopicDefinition> =
  | { mode: 'record'; handler: RecordHandler<T> }
  | { mode: 'batch'; handler: BatchHandler<T>; maxBatchSize: number };

export interface PartitionProcessorOptions<T extends TopicDefinition> {
  groupId: string;
  /** Definitions by the topic's name in the cluster (prefix included). */
  topics: ReadonlyMap<string, T>;
  delivery: Delivery<T>;
  retry: RetryPolicy;
  deadLetters: DeadLetterSink;
  /** Heartbeats while a batch is processed; the client itself throttles them to its heartbeat interval. */
  heartbeatEveryMs?: number;
  sleep?: (ms: number) => Promise<void>;
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

export class PartitionProcessor<T extends TopicDefinition> {
  private readonly logger = new Logger('KafkaConsumer');
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly options: PartitionProcessorOptions<T>) {
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
  }

  async process(batch: PartitionBatch, client: BatchControls): Promise<void> {
    const definition = this.options.topics.get(batch.topic);
    if (!definition) throw new Error(`received a record of ${batch.topic}, which this consumer did not subscribe to`);
    const alive = new KeepAlive(client, this.options.heartbeatEveryMs ?? DEFAULT_HEARTBEAT_EVERY_MS);
    const controls: BatchControls = {
      resolveOffset: (offset) => client.resolveOffset(offset),
      commitOffsetsIfNecessary: () => client.commitOffsetsIfNecessary(),
      heartbeat: () => client.heartbeat(),
      isStale: () => client.isStale(),
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

  private async processRecords(definition: T, batch: PartitionBatch, controls: BatchControls, handler: RecordHandler<T>): Promise<void> {
    for (const message of batch.messages) {
      if (!controls.isRunning() || controls.isStale()) return;
      const decoded = this.decode(definition, batch, message);
      if (decoded.ok) {
        const outcome = await this.retrying(() => handler(decoded.record), batch, message, controls);
        if (outcome.kind === 'stopped') return;
        if (outcome.kind === 'exhausted') await this.deadLetterFailure(batch, message, outcome);
      } else {
        await this.deadLetterInvalid(batch, message, decoded);
      }
      controls.resolveOffset(message.offset);
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
      for (const message of group) {
        const decoded = this.decode(definition, batch, message);
        if (decoded.ok) valid.push({ record: decoded.record, message });
        else await this.deadLetterInvalid(batch, message, decoded);
      }
      if (valid.length > 0) {
        const records = valid.map((v) => v.record);
        const first = valid[0].message;
        const outcome = await this.retrying(() => handler(records), batch, first, controls);
        if (outcome.kind === 'stopped') return;
        if (outcome.kind === 'exhausted') {
          for (const { message } of valid) await this.deadLetterFailure(batch, message, outcome);
        }
      }
      controls.resolveOffset(group[group.length - 1].offset);
      await controls.commitOffsetsIfNecessary();
    }
  }

  private decode(definition: T, batch: PartitionBatch, message: RawMessage): Decoded<T> {
    return decodeRecord(definition, batch, message);
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

  private retrying(work: () => Promise<void>, batch: PartitionBatch, message: RawMessage, controls: BatchControls): Promise<RetryOutcome> {
    return runWithRetry(work, this.options.retry, controls, {
      sleep: this.sleep,
      random: this.random,
      onAttemptFailed: (attempt, error, delayMs) =>
        this.logger.warn(
          { topic: batch.topic, partition: batch.partition, offset: message.offset, attempt, delayMs, error: describeError(error) },
          'handler failed; retrying',
        ),
    });
  }

  private async deadLetterFailure(
    batch: PartitionBatch,
    message: RawMessage,
    outcome: Extract<RetryOutcome, { kind: 'exhausted' }>,
  ): Promise<void> {
    const error = describeError(outcome.error);
    this.logger.error(
      { topic: batch.topic, partition: batch.partition, offset: message.offset, attempts: outcome.attempts, error },
      'handler failed for good; record dead-lettered',
    );
    await this.options.deadLetters.send({
      topic: batch.topic,
      partition: batch.partition,
      message,
      groupId: this.options.groupId,
      reason: 'handler-failed',
      error,
      attempts: outcome.attempts,
    });
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
