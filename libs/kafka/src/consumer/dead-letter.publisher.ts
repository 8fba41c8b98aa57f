// Publishes dead letters to `<topic>.dlq` through the process's producer, acknowledged by all
// in-sync replicas before the consumer resolves the original offset, and counts them
// (kafka_consumer_dead_letters_total, which an alert watches: every dead letter needs a look and,
// once its cause is fixed, `npm run dlq:replay`).
import { Injectable } from '@nestjs/common';
import { deadLetterTopicName } from '@chat/contracts';
import { ProducerConnection } from '../producer/producer.connection';
import { ConsumerMetrics } from './consumer.metrics';
import { type DeadLetter, deadLetterHeaders, type DeadLetterSink } from './dead-letter';

@Injectable()
export class DeadLetterPublisher implements DeadLetterSink {
  constructor(
    private readonly connection: ProducerConnection,
    private readonly metrics: ConsumerMetrics,
  ) {}

  async send(letter: DeadLetter): Promise<void> {
    await this.connection.send({
      topic: deadLetterTopicName(letter.topic),
      messages: [{ key: letter.message.key, value: letter.message.value, headers: deadLetterHeaders(letter, new Date()) }],
    });
    this.metrics.deadLettered(letter.groupId, letter.topic, letter.reason);
  }
}
