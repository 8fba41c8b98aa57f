// What a consumer declares: its group, the topics it reads, and a handler of validated records.
import { type TopicDefinition, type TopicValue } from '@chat/contracts';
import { type RetryPolicy } from './retry.policy';

/** One record whose value passed its topic's schema. */
export interface ConsumedRecord<T extends TopicDefinition = TopicDefinition> {
  /** The topic's name in the cluster (with the configured prefix, if any). */
  readonly topic: string;
  /** The definition the value was validated against. */
  readonly definition: T;
  readonly partition: number;
  /** 64-bit offset as a decimal string. */
  readonly offset: string;
  readonly key: string | null;
  readonly value: TopicValue<T>;
  readonly headers: Readonly<Record<string, string>>;
  /** Milliseconds since the epoch (producer or log-append time, as the topic is configured). */
  readonly timestamp: number;
}

/** A record of any of the topics `T` (a union of definitions), typed by the topic it came from. */
export type RecordOf<T extends TopicDefinition> = T extends TopicDefinition ? ConsumedRecord<T> : never;

export type RecordHandler<T extends TopicDefinition> = (record: RecordOf<T>) => Promise<void>;
/** Records of one partition, in offset order. */
export type BatchHandler<T extends TopicDefinition> = (records: readonly RecordOf<T>[]) => Promise<void>;

interface CommonConsumeOptions<T extends TopicDefinition> {
  /**
   * Consumer group (the topic prefix is prepended). Members of one group share the partitions.
   * With `broadcast`, this is the start of a group name unique to this process.
   */
  groupId: string;
  topics: readonly T[];
  /** Where a group without committed offsets starts. Default false (latest). */
  fromBeginning?: boolean;
  /** Partitions handled in parallel by this process; records of one partition stay in order. Default 1. */
  partitionsConsumedConcurrently?: number;
  /** Overrides the module's handler retry policy. */
  retry?: Partial<RetryPolicy>;
  /**
   * Every process sees every record (gateways fanning events out to their sockets): the group id
   * becomes `<groupId>.<clientId>.<random>`, unique to this process and this start, so the
   * consumer starts at the latest offsets and never replays what came before this process; it
   * commits nothing, yet when its client is restarted (a broker lost, a crash) it reads on from
   * where it stopped (BroadcastPositions, in memory). Its group is deleted when it stops.
   * `fromBeginning` must not be set.
   */
  broadcast?: boolean;
}

export interface RecordConsumeOptions<T extends TopicDefinition> extends CommonConsumeOptions<T> {
  handler: RecordHandler<T>;
  batchHandler?: never;
}

export interface BatchConsumeOptions<T extends TopicDefinition> extends CommonConsumeOptions<T> {
  /**
   * Receives up to `maxBatchSize` valid records of one partition at a time. A failure retries the
   * whole group; when the attempts are exhausted every record of the group is dead-lettered.
   */
  batchHandler: BatchHandler<T>;
  handler?: never;
  /** Default 100. */
  maxBatchSize?: number;
}

export type ConsumeOptions<T extends TopicDefinition> = RecordConsumeOptions<T> | BatchConsumeOptions<T>;

export interface ConsumerHandle {
  /** The group actually joined (differs from the requested one in broadcast mode). */
  readonly groupId: string;
  /**
   * Settles once the consumer joined its group and resolved its starting offsets: records
   * published after this are seen even by a consumer that starts at the latest offsets.
   * Rejects if the consumer crashes for good before that.
   */
  readonly ready: Promise<void>;
  /** Finishes the record in hand, commits, leaves the group. Idempotent. */
  stop(): Promise<void>;
}

/** One partition of one topic, by the topic's definition. */
export interface AssignedPartition<T extends TopicDefinition = TopicDefinition> {
  readonly definition: T;
  readonly partition: number;
}

/**
 * A consumer that works on many records of a partition at once and finishes them in any order
 * (see PipelineRunner): records are handed over as fetched, the fetch loop goes on at once, and
 * offsets are committed up to the lowest record not yet finished.
 */
export interface PartitionPipeline<T extends TopicDefinition> {
  /**
   * The partitions this member owns after it (re)joined the group, under a new generation number.
   * Work of an earlier generation may still be running; it must fence itself (everything not
   * committed is fetched again by whoever owns the partition now).
   */
  assigned(partitions: readonly AssignedPartition<T>[], generation: number): void;
  /**
   * Takes records of one partition, in offset order, and returns one promise per record that
   * settles once the record's work is finished. Returns once the records are taken (it may wait
   * for room), never for their work. A record's promise should not reject: the pipeline retries
   * its own work; a rejected record is logged and its offset is never committed.
   */
  take(records: readonly RecordOf<T>[], generation: number): Promise<readonly Promise<void>[]>;
}

export interface PipelineConsumeOptions<T extends TopicDefinition> {
  groupId: string;
  topics: readonly T[];
  fromBeginning?: boolean;
  pipeline: PartitionPipeline<T>;
  /** Partition p of every topic to the same member (the topics must have as many partitions). */
  coPartitioned?: boolean;
  /** How often finished offsets are committed. Default 200 ms. */
  commitEveryMs?: number;
}
