// The seam between services and the message bus (docs/design/bus.md). Services inject these
// three abstract classes; BusModule binds them to the Kafka implementation (kafkajs, the default)
// or the RabbitMQ one (amqplib), chosen by BUS. Both share the client-independent parts of this
// library: the codec, PartitionProcessor (record/batch delivery, retries, dead letters),
// PipelineRunner and OffsetTracker (commit up to the lowest unfinished record).
import { type TopicDefinition, type TopicValue } from '@chat/contracts';
import { type ConsumeOptions, type ConsumerHandle, type PipelineConsumeOptions } from '../consumer/consume.options';

export type BusKind = 'kafka' | 'rabbitmq';

export interface OutgoingRecord<T extends TopicDefinition> {
  /** Records with the same key keep their order (the topic definition says what the key holds). */
  key: string;
  value: TopicValue<T>;
  headers?: Readonly<Record<string, string>>;
  /** Overrides the partition the key would choose. */
  partition?: number;
}

export interface PublishOptions {
  /**
   * The values were built by this process from values already validated (a service relaying its
   * own records along a pipeline): serialise them without parsing them again. Consumers still
   * validate what they read.
   */
  trusted?: boolean;
}

export interface PublishedRecord {
  topic: string;
  /** -1 when not known (see the implementation). */
  partition: number;
  /** Offset the bus gave the record, or '-1' when the bus does not say (RabbitMQ never does). */
  offset: string;
}

export interface TopicDescription {
  name: string;
  partitions: number;
}

/** Publishes typed, validated values; resolves once the bus has durably accepted them. */
export abstract class BusProducer {
  abstract publish<T extends TopicDefinition>(topic: T, key: string, value: TopicValue<T>, headers?: Readonly<Record<string, string>>): Promise<PublishedRecord>;
  /** All values are validated before anything is sent; records of one partition keep their order. */
  abstract publishBatch<T extends TopicDefinition>(topic: T, records: readonly OutgoingRecord<T>[], options?: PublishOptions): Promise<void>;
}

/** Consumer groups: partitions shared among a group's members, or every record to every process (broadcast). */
export abstract class BusConsumers {
  abstract consume<T extends TopicDefinition>(options: ConsumeOptions<T>): Promise<ConsumerHandle>;
  abstract consumePipeline<T extends TopicDefinition>(options: PipelineConsumeOptions<T>): Promise<ConsumerHandle>;
  /** Groups whose consumer is not running right now; readiness reports them. */
  abstract crashedGroups(): string[];
  /** Groups whose consumer will not run again in this process; liveness reports them. */
  abstract deadGroups(): string[];
}

/** Topic (and dead-letter topic) creation from the contracts. */
export abstract class BusAdmin {
  abstract ensureTopics(definitions: readonly TopicDefinition[]): Promise<void>;
  abstract describeTopics(definitions: readonly TopicDefinition[]): Promise<TopicDescription[]>;
}
