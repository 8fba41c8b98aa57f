// Creates the streams of the topics a service declares: partition p of topic t is the durable
// stream `<t>.p<p>`, and `<t>.dlq.p<p>` holds its dead letters. Declaring is idempotent (the same
// arguments each time), so processes racing to create them all succeed. Nothing else creates a
// stream: the producer publishes mandatory, so a misspelt topic fails instead of being created.
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { deadLetterTopicName, type TopicDefinition } from '@chat/contracts';
import { type Channel } from 'amqplib';
import { type BusAdmin, type TopicDescription } from '../bus/bus';
import { RabbitMqConnection } from './rabbitmq.connection';
import { physicalName } from '../kafka.options';
import { RABBITMQ_OPTIONS, type ResolvedRabbitMqOptions, streamName } from './rabbitmq.options';

@Injectable()
export class RabbitMqAdmin implements BusAdmin, OnModuleInit {
  private readonly logger = new Logger('RabbitMqAdmin');

  constructor(
    private readonly connection: RabbitMqConnection,
    @Inject(RABBITMQ_OPTIONS) private readonly options: ResolvedRabbitMqOptions,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.options.topics.length > 0) await this.ensureTopics(this.options.topics);
  }

  async ensureTopics(definitions: readonly TopicDefinition[]): Promise<void> {
    if (definitions.length === 0) return;
    const channel = await (await this.connection.get()).createChannel();
    try {
      for (const definition of definitions) {
        const name = physicalName(this.options, definition.name);
        for (const topic of [name, deadLetterTopicName(name)]) {
          for (let p = 0; p < definition.partitions; p++) await this.assertStream(channel, streamName(topic, p));
        }
      }
    } finally {
      await channel.close().catch(() => undefined);
    }
    this.logger.log(`streams ready for ${definitions.map((d) => d.name).join(', ')}`);
  }

  /** How many of each topic's declared partitions exist as streams (counted from p0 up). */
  async describeTopics(definitions: readonly TopicDefinition[]): Promise<TopicDescription[]> {
    const result: TopicDescription[] = [];
    for (const definition of definitions) {
      const name = physicalName(this.options, definition.name);
      const partitions = await this.existingPartitions(name, definition.partitions);
      if (partitions === 0) throw new Error(`topic ${name} does not exist`);
      result.push({ name, partitions });
    }
    return result;
  }

  /** How many partitions of a (prefixed) topic exist as streams, counted from p0 up to `atMost`. */
  async existingPartitions(topic: string, atMost = Number.MAX_SAFE_INTEGER): Promise<number> {
    const model = await this.connection.get();
    let partitions = 0;
    // A failed check closes its channel: one channel per check, with a listener for the error it
    // emits (amqplib hands an unheard channel error to the connection, which closes).
    while (partitions < atMost) {
      const channel = await model.createChannel();
      channel.on('error', () => undefined);
      const exists = await channel.checkQueue(streamName(topic, partitions)).then(
        () => true,
        () => false,
      );
      if (exists) await channel.close().catch(() => undefined);
      if (!exists) break;
      partitions++;
    }
    return partitions;
  }

  private async assertStream(channel: Channel, name: string): Promise<void> {
    await channel.assertQueue(name, { durable: true, arguments: { 'x-queue-type': 'stream', 'x-max-age': this.options.maxAge } });
  }
}
