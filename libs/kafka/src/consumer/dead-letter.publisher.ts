// Publishes dead letters to `<topic>.dlq` through the idempotent producer, acknowledged by all
// in-sync replicas before the consumer resolves the original offset.
import { Injectable } from '@nestjs/common';
import { deadLetterTopicName } from '@chat/contracts';
import { ProducerConnection } from '../producer/producer.connection';
import { type DeadLetter, deadLetterHeaders, type DeadLetterSink } from './dead-letter';

@Injectable()
export class DeadLetterPublisher implements DeadLetterSink {
  constructor(private readonly connection: ProducerConnection) {}

  async send(letter: DeadLetter): Promise<void> {
    await this.connection.send({
      topic: deadLetterTopicName(letter.topic),
      messages: [{ key: letter.message.key, value: letter.message.value, headers: deadLetterHeaders(letter, new Date()) }],
    });
  }
}
