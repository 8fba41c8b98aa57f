// Publishes typed values to topics from the contracts. Every value is validated against its
// topic's schema first: a bug that builds a bad payload throws here, at its source.
import { Inject, Injectable } from '@nestjs/common';
import { type TopicDefinition, type TopicValue } from '@chat/contracts';
import { encodeValue } from '../codec/record.codec';
import { KAFKA_OPTIONS, physicalName, type ResolvedKafkaOptions } from '../kafka.options';
import { type BusProducer, type OutgoingRecord, type PublishedRecord, type PublishOptions } from '../bus/bus';
import { ProducerConnection } from './producer.connection';

export type { OutgoingRecord, PublishedRecord, PublishOptions };

@Injectable()
export class KafkaProducer implements BusProducer {
  constructor(
    private readonly connection: ProducerConnection,
    @Inject(KAFKA_OPTIONS) private readonly options: ResolvedKafkaOptions,
  ) {}

  async publish<T extends TopicDefinition>(
    topic: T,
    key: string,
    value: TopicValue<T>,
    headers?: Readonly<Record<string, string>>,
  ): Promise<PublishedRecord> {
    const message = { key, value: encodeValue(topic, value), ...(headers ? { headers: { ...headers } } : {}) };
    const metadata = await this.connection.send({ topic: physicalName(this.options, topic.name), messages: [message] });
    const [first] = metadata;
    if (!first) throw new Error(`the broker did not acknowledge the record published to ${topic.name}`);
    // Records sent together (see ProducerConnection) may have taken the topic to several partitions;
    // then which one holds this record is not known here.
    if (metadata.length > 1) return { topic: first.topicName, partition: -1, offset: '-1' };
    return { topic: first.topicName, partition: first.partition, offset: first.baseOffset ?? '-1' };
  }

  /**
   * Publishes many records of one topic in one request per broker (kafkajs has no linger:
   * batching is explicit). All values are validated before anything is sent.
   */
  async publishBatch<T extends TopicDefinition>(topic: T, records: readonly OutgoingRecord<T>[], options: PublishOptions = {}): Promise<void> {
    if (records.length === 0) return;
    const messages = records.map((r) => ({
      key: r.key,
      value: options.trusted ? JSON.stringify(r.value) : encodeValue(topic, r.value),
      ...(r.headers ? { headers: { ...r.headers } } : {}),
      ...(r.partition !== undefined ? { partition: r.partition } : {}),
    }));
    await this.connection.send({ topic: physicalName(this.options, topic.name), messages });
  }
}
