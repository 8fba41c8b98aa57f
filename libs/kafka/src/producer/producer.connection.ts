// The process's one kafkajs producer: acks from all in-sync replicas, one request in flight,
// connected on first use and closed once consumers and HTTP have stopped (onApplicationShutdown).
//
// Sends are coalesced: kafkajs has no linger, so one request per publish caps a process at one
// round trip per record — a few hundred records/s on a busy machine. Instead, records handed over
// while a request is in flight wait for it and then leave together in one request (`sendBatch`),
// in the order they were handed over; an idle producer sends at once (no added latency). Every
// caller's promise settles with the request that carried its records, so "acknowledged by all
// in-sync replicas" holds per caller.
//
// Retries are this class's, never kafkajs's. kafkajs's retry of a produce request loses records
// when a partition's leader moves during a request that spans brokers (kafkajs#1303, still open):
// it keeps the answers of the brokers that already answered and resends only to brokers without
// one, so a partition refused by its old leader (NOT_LEADER_FOR_PARTITION) whose new leader is
// such a broker is never sent again, and sendBatch resolves as if it had been stored. A rolling
// restart of the three-node cluster showed it: two seqs of a channel missing from the sequenced
// log, the records after them appended with contiguous producer sequence numbers, and the
// channel's later sends refused by the fence for good (e2e/support/producer-probe.ts now watches
// for it). So a failed request is sent again whole, after a backoff, on a fresh producer (a new
// connection state), up to `retry.retries` times; then every caller in it fails (the partition
// outboxes retry on their own, in order). kafkajs allows an idempotent producer only with its
// own retry on, so this producer is not idempotent; idempotence bought nothing here anyway: the
// broker drops only a repeat of a request by the same producer id with the same sequence
// numbers, i.e. kafkajs's internal retries. A request whose answer was lost (stored, but seen as
// failed) is therefore appended twice when it is sent again, which consumers already handle
// (at-least-once delivery: idempotent handlers, the sequencer's fence); with idempotence it was
// the same, since the retry ran on a fresh producer id (reusing the rolled-back sequence numbers
// made the broker drop the next request's records as a repeat, producer.connection.int-spec.ts).
import { Inject, Injectable, Logger, type OnApplicationShutdown, Optional } from '@nestjs/common';
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

/** How a failed request is retried before its callers are failed (kafkajs's default: 5 retries over ~10 s). */
export interface ProducerRetry {
  retries: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

export const PRODUCER_RETRY = Symbol('PRODUCER_RETRY');
export const DEFAULT_PRODUCER_RETRY: ProducerRetry = { retries: 5, initialBackoffMs: 200, maxBackoffMs: 3_000 };

@Injectable()
export class ProducerConnection implements OnApplicationShutdown {
  private readonly logger = new Logger('KafkaProducer');
  private producer: Producer;
  private connecting: Promise<void> | undefined;
  private queue: Pending[] = [];
  private flushing = false;

  constructor(
    private readonly clients: KafkaClients,
    @Optional() @Inject(PRODUCER_RETRY) private readonly retry: ProducerRetry = DEFAULT_PRODUCER_RETRY,
  ) {
    this.producer = this.newProducer();
  }

  private newProducer(): Producer {
    return this.clients.main.producer({
      // Not idempotent: kafkajs requires its own retry for that (see the top of the file).
      idempotent: false,
      // One request at a time (the flush loop sends the next once this one settled): a
      // partition's records are appended in the order they were handed over.
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // Retried here, never by kafkajs (see the top of the file: its retry loses records).
      retry: { retries: 0 },
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
          const metadata = await this.sendWithRetries(topicMessages);
          for (const pending of taken) {
            const topics = new Set(pending.outgoing.map((o) => o.topic));
            pending.resolve(metadata.filter((m) => topics.has(m.topicName)));
          }
        } catch (error) {
          for (const pending of taken) pending.reject(error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** One request, sent again whole on a fresh producer after each failure, up to `retry.retries` times. */
  private async sendWithRetries(topicMessages: { topic: string; messages: Message[] }[]): Promise<RecordMetadata[]> {
    let backoff = this.retry.initialBackoffMs;
    for (let attempt = 0; ; attempt++) {
      try {
        // A producer replaced after a failure connects here, before its first request.
        await this.connect();
        return await this.producer.sendBatch({ topicMessages, acks: -1 });
      } catch (error) {
        await this.replace(error);
        if (attempt >= this.retry.retries) throw error;
        await new Promise((resolve) => setTimeout(resolve, backoff));
        backoff = Math.min(backoff * 2, this.retry.maxBackoffMs);
      }
    }
  }

  /** After a failed request: a fresh producer, so nothing of the failed one's connection state is reused. */
  private async replace(error: unknown): Promise<void> {
    const failed = this.producer;
    this.producer = this.newProducer();
    this.connecting = undefined;
    this.logger.warn({ err: error }, 'a produce request failed; a fresh producer sends it again (it may have been stored: its records may then be there twice)');
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
