// The process's one kafkajs producer: idempotent (the broker drops duplicates a retry would
// create, and per-partition order survives retries), acks from all in-sync replicas, connected
// on first use and closed once consumers and HTTP have stopped (onApplicationShutdown).
//
// Sends are coalesced: kafkajs serialises an idempotent producer's requests (one in flight per
// broker, to keep sequence numbers gapless) and has no linger, so one request per publish caps a
// process at one round trip per record — a few hundred records/s on a busy machine. Instead,
// records handed over while a request is in flight wait for it and then leave together in one
// request (`sendBatch`), in the order they were handed over; an idle producer sends at once (no
// added latency). Every caller's promise settles with the request that carried its records, so
// "acknowledged by all in-sync replicas" still holds per caller, and a failed request fails every
// caller in it (each retries, as before: the broker's idempotence drops what was already stored).
//
// A failed request leaves the idempotent producer's sequence numbers unknown: the broker may have
// appended it and only the answer was lost (a connection cut, a timeout), while kafkajs rolls its
// sequence numbers back. The next request would then reuse them: with the same record count the
// broker takes it for a retry of the appended one and answers with that one's offset (the new
// records are silently lost); with another count it answers OUT_OF_ORDER_SEQUENCE_NUMBER, for
// every request to that partition from then on. So after any failed request the producer is
// replaced by a fresh one (a new producer id, sequences from 0) before the next request. The
// callers of the failed request retry; what was appended is then there twice, which consumers
// already handle (at-least-once delivery: idempotent handlers, the sequencer's fence).
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { type Message, Partitioners, type Producer, type RecordMetadata } from 'kafkajs';
import { KafkaClients } from '../kafka-clients';

export interface OutgoingMessage {
  topic: string;
  messages: Message[];
}

interface Pending {
  outgoing: readonly OutgoingMessage[];
  resolve: (metadata: RecordMetadata[]) => void;
  reject: (error: unknown) => void;
}

/** Records per request at most (kafkajs builds one request per broker of them). */
const MAX_RECORDS_PER_REQUEST = 2_000;

@Injectable()
export class ProducerConnection implements OnApplicationShutdown {
  private readonly logger = new Logger('KafkaProducer');
  private producer: Producer;
  private connecting: Promise<void> | undefined;
  private queue: Pending[] = [];
  private flushing = false;

  constructor(private readonly clients: KafkaClients) {
    this.producer = this.newProducer();
  }

  private newProducer(): Producer {
    return this.clients.main.producer({
      idempotent: true,
      // kafkajs serialises idempotent produce requests per broker anyway (one lock per broker,
      // to keep sequence numbers gapless); 1 states it instead of relying on it.
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // The Java client's murmur2 partitioner: the same key lands on the same partition from any client.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  /** Resolves with the metadata of `outgoing.topic`'s partitions in the request that carried the records. */
  async send(outgoing: OutgoingMessage): Promise<RecordMetadata[]> {
    const metadata = await this.sendBatch([outgoing]);
    return metadata.filter((m) => m.topicName === outgoing.topic);
  }

  async sendBatch(outgoing: readonly OutgoingMessage[]): Promise<RecordMetadata[]> {
    await this.connect();
    return new Promise((resolve, reject) => {
      this.queue.push({ outgoing, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  /** Sends everything queued, request after request, until the queue is empty. */
  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const taken: Pending[] = [];
        let records = 0;
        while (this.queue.length > 0 && (taken.length === 0 || records < MAX_RECORDS_PER_REQUEST)) {
          const next = this.queue.shift() as Pending;
          taken.push(next);
          records += next.outgoing.reduce((n, o) => n + o.messages.length, 0);
        }
        // One entry per topic, records in the order handed over (a partition's order is its topic's order).
        const byTopic = new Map<string, Message[]>();
        for (const pending of taken) {
          for (const o of pending.outgoing) {
            const messages = byTopic.get(o.topic) ?? [];
            messages.push(...o.messages);
            byTopic.set(o.topic, messages);
          }
        }
        const topicMessages = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
        try {
          // A producer replaced after a failure connects here, before its first request.
          await this.connect();
        } catch (error) {
          for (const pending of taken) pending.reject(error);
          continue;
        }
        try {
          const metadata = await this.producer.sendBatch({ topicMessages, acks: -1 });
          for (const pending of taken) {
            const topics = new Set(pending.outgoing.map((o) => o.topic));
            pending.resolve(metadata.filter((m) => topics.has(m.topicName)));
          }
        } catch (error) {
          for (const pending of taken) pending.reject(error);
          await this.replace(error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** After a failed request: a fresh producer (new producer id), so no sequence number is reused. */
  private async replace(error: unknown): Promise<void> {
    const failed = this.producer;
    this.producer = this.newProducer();
    this.connecting = undefined;
    this.logger.warn({ err: error }, 'a produce request failed; a fresh idempotent producer takes over (the request may have been stored, so its sequence numbers are not reused)');
    await failed.disconnect().catch(() => undefined);
  }

  connect(): Promise<void> {
    // One connection attempt at a time; a failed attempt is forgotten so the next send retries.
    if (this.connecting) return this.connecting;
    const attempt: Promise<void> = this.producer.connect().catch((error: unknown) => {
      if (this.connecting === attempt) this.connecting = undefined;
      throw error;
    });
    this.connecting = attempt;
    return attempt;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.connecting === undefined) return;
    this.connecting = undefined;
    await this.producer.disconnect();
  }
}
