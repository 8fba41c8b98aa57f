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
   * consumer always starts at the latest offsets, never replays what it missed while down, and
   * its group is deleted when it stops. `fromBeginning` must not be set.
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
