// Dead letters on RabbitMQ: the record, unchanged, with the same x-dlq-* headers as on Kafka, in
// partition p of `<topic>.dlq` (a stream), confirmed before the original offset is resolved.
// Streams have no broker-side dead-lettering (x-dead-letter-exchange applies to classic and
// quorum queues), so the library parks records itself, exactly as it does on Kafka.
import { Injectable } from '@nestjs/common';
import { deadLetterTopicName } from '@chat/contracts';
import { ConsumerMetrics } from '../consumer/consumer.metrics';
import { type DeadLetter, deadLetterHeaders, type DeadLetterSink } from '../consumer/dead-letter';
import { RabbitMqProducer } from './rabbitmq.producer';

@Injectable()
export class RabbitMqDeadLetters implements DeadLetterSink {
  constructor(
    private readonly producer: RabbitMqProducer,
    private readonly metrics: ConsumerMetrics,
  ) {}

  async send(letter: DeadLetter): Promise<void> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(deadLetterHeaders(letter, new Date()))) {
      const last = Array.isArray(value) ? value[value.length - 1] : value;
      if (last !== undefined) headers[name] = last.toString();
    }
    await this.producer.send([{ topic: deadLetterTopicName(letter.topic), partition: letter.partition, key: letter.message.key, value: letter.message.value, headers }]);
    this.metrics.deadLettered(letter.groupId, letter.topic, letter.reason);
  }
}
