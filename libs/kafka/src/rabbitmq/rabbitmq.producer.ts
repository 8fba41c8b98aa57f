// The RabbitMQ producer: publishes each record to the stream of its partition (the key's partition
// as Kafka's default partitioner computes it, see partitioner.ts) on one confirm channel, and
// resolves once the broker confirmed it: a stream confirms a message once a quorum of its
// replicas wrote it (as acks=all does on Kafka). Records are published mandatory, so a record for
// a stream that does not exist comes back and fails its publish (no topic is created by a typo).
// Order: one channel, and RabbitMQ keeps a channel's publishes to one queue in order.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { type TopicDefinition, type TopicValue } from '@chat/contracts';
import { type ConfirmChannel, type Message } from 'amqplib';
import { type BusProducer, type OutgoingRecord, type PublishedRecord, type PublishOptions } from '../bus/bus';
import { encodeValue } from '../codec/record.codec';
import { partitionOf } from './partitioner';
import { RabbitMqConnection } from './rabbitmq.connection';
import { physicalName } from '../kafka.options';
import { RABBITMQ_OPTIONS, type ResolvedRabbitMqOptions, streamName } from './rabbitmq.options';

/** Headers the transport adds to every message (kept out of the record's own headers on consume). */
export const BUS_HEADERS = { key: 'x-bus-key', timestamp: 'x-bus-timestamp' } as const;

export interface RawOutgoing {
  /** The stream's topic (prefixed). */
  topic: string;
  partition: number;
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Readonly<Record<string, string | Buffer | undefined>>;
}

@Injectable()
export class RabbitMqProducer implements BusProducer {
  private readonly logger = new Logger('RabbitMqProducer');
  private channel: Promise<ConfirmChannel> | undefined;
  /** messageId -> why the broker returned it (unroutable), until its confirm arrives. */
  private readonly returned = new Map<string, string>();
  private nextId = 0;

  constructor(
    private readonly connection: RabbitMqConnection,
    @Inject(RABBITMQ_OPTIONS) private readonly options: ResolvedRabbitMqOptions,
  ) {}

  async publish<T extends TopicDefinition>(topic: T, key: string, value: TopicValue<T>, headers?: Readonly<Record<string, string>>): Promise<PublishedRecord> {
    const name = physicalName(this.options, topic.name);
    const partition = partitionOf(key, topic.partitions);
    await this.send([{ topic: name, partition, key, value: encodeValue(topic, value), ...(headers ? { headers } : {}) }]);
    return { topic: name, partition, offset: '-1' };
  }

  async publishBatch<T extends TopicDefinition>(topic: T, records: readonly OutgoingRecord<T>[], options: PublishOptions = {}): Promise<void> {
    if (records.length === 0) return;
    const name = physicalName(this.options, topic.name);
    const outgoing = records.map((r) => ({
      topic: name,
      partition: r.partition ?? partitionOf(r.key, topic.partitions),
      key: r.key,
      value: options.trusted ? JSON.stringify(r.value) : encodeValue(topic, r.value),
      ...(r.headers ? { headers: r.headers } : {}),
    }));
    await this.send(outgoing);
  }

  /** Publishes raw records (dead letters, replays) and resolves once every one is confirmed. */
  async send(records: readonly RawOutgoing[]): Promise<void> {
    const channel = await this.confirmChannel();
    const confirms = records.map((record) => this.publishOne(channel, record));
    await Promise.all(confirms);
  }

  private publishOne(channel: ConfirmChannel, record: RawOutgoing): Promise<void> {
    const messageId = String(this.nextId++);
    const headers: Record<string, string> = { [BUS_HEADERS.timestamp]: String(Date.now()) };
    for (const [name, value] of Object.entries(record.headers ?? {})) if (value !== undefined) headers[name] = value.toString();
    if (record.key !== null) headers[BUS_HEADERS.key] = record.key.toString();
    const content = record.value === null ? Buffer.alloc(0) : Buffer.isBuffer(record.value) ? record.value : Buffer.from(record.value, 'utf8');
    const stream = streamName(record.topic, record.partition);
    return new Promise<void>((resolve, reject) => {
      channel.publish('', stream, content, { persistent: true, mandatory: true, messageId, headers }, (error: unknown) => {
        const returned = this.returned.get(messageId);
        this.returned.delete(messageId);
        if (error) reject(error instanceof Error ? error : new Error(`the broker refused the record published to ${stream}`));
        else if (returned !== undefined) reject(new Error(`the record published to ${stream} was returned: ${returned} (does the stream exist?)`));
        else resolve();
      });
    });
  }

  private confirmChannel(): Promise<ConfirmChannel> {
    this.channel ??= this.openChannel().catch((error: unknown) => {
      this.channel = undefined;
      throw error;
    });
    return this.channel;
  }

  private async openChannel(): Promise<ConfirmChannel> {
    const model = await this.connection.get();
    const channel = await model.createConfirmChannel();
    channel.on('return', (message: Message) => {
      const id = message.properties.messageId as string | undefined;
      if (id !== undefined) this.returned.set(id, `${message.fields.exchange === '' ? 'default exchange' : message.fields.exchange}: no route to ${message.fields.routingKey}`);
    });
    channel.on('error', (error: Error) => this.logger.warn({ err: error }, 'producer channel error'));
    channel.on('close', () => {
      // Unconfirmed publishes fail with the close (amqplib calls their callbacks with an error).
      this.channel = undefined;
    });
    return channel;
  }
}
