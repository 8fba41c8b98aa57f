// The process's one kafkajs producer: idempotent (the broker drops duplicates a retry would
// create, and per-partition order survives retries), acks from all in-sync replicas, connected
// on first use and closed once consumers and HTTP have stopped (onApplicationShutdown).
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { type Message, Partitioners, type Producer, type RecordMetadata } from 'kafkajs';
import { KafkaClients } from '../kafka-clients';

export interface OutgoingMessage {
  topic: string;
  messages: Message[];
}

@Injectable()
export class ProducerConnection implements OnApplicationShutdown {
  private readonly producer: Producer;
  private connecting: Promise<void> | undefined;

  constructor(clients: KafkaClients) {
    this.producer = clients.main.producer({
      idempotent: true,
      // kafkajs serialises idempotent produce requests per broker anyway (one lock per broker,
      // to keep sequence numbers gapless); 1 states it instead of relying on it.
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // The Java client's murmur2 partitioner: the same key lands on the same partition from any client.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  async send(outgoing: OutgoingMessage): Promise<RecordMetadata[]> {
    await this.connect();
    return this.producer.send({ topic: outgoing.topic, messages: outgoing.messages, acks: -1 });
  }

  async sendBatch(outgoing: readonly OutgoingMessage[]): Promise<RecordMetadata[]> {
    await this.connect();
    return this.producer.sendBatch({ topicMessages: outgoing.map((o) => ({ topic: o.topic, messages: o.messages })), acks: -1 });
  }

  connect(): Promise<void> {
    // One connection attempt at a time; a failed attempt is forgotten so the next send retries.
    this.connecting ??= this.producer.connect().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.connecting === undefined) return;
    this.connecting = undefined;
    await this.producer.disconnect();
  }
}
