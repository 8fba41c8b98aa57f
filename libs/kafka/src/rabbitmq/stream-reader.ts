// Reads one stream (one partition of one topic) from an offset, on a channel of its own, and
// hands the records over in batches of whatever arrived while the previous batch was handled (as
// a Kafka fetch does). A stream consumer over AMQP needs manual acknowledgements, which on a
// stream only grant credit (the prefetch bounds what the reader holds); where a group resumes is
// kept by the group's lease (partition-lease.ts), never by the stream.
//
// Pausing closes the channel and drops what was buffered; resuming opens a new one at the lowest
// offset not yet resolved, so the record that failed is read again (PartitionBackoff's contract).
import { Logger } from '@nestjs/common';
import { type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { type RawHeaders } from '../codec/record.codec';
import { type RawMessage } from '../consumer/dead-letter';
import { BUS_HEADERS } from './rabbitmq.producer';

/**
 * Where a reader starts: an offset, the first record kept, the last chunk written (its records,
 * and then what is appended), the next one appended, or the first chunk written at or after a time
 * (ms; the broker resolves it to the second, by whole chunks, so a few earlier records may come too).
 */
export type StreamStart = number | 'first' | 'last' | 'next' | { since: number };

export interface StreamReaderOptions {
  stream: string;
  start: StreamStart;
  prefetch: number;
  /** Records of the stream in offset order; the next batch waits for this one. */
  deliver: (messages: readonly RawMessage[], epoch: number) => Promise<void>;
  /** The channel closed without being asked to (broker or connection gone, stream deleted). */
  lost: (error: Error) => void;
}

const MAX_BATCH = 500;

export class StreamReader {
  private readonly logger = new Logger('StreamReader');
  private channel: Channel | undefined;
  private buffer: ConsumeMessage[] = [];
  private pumping: Promise<void> | undefined;
  private position: StreamStart;
  private stopped = false;
  /** Bumped by every pause: a batch of an older epoch is stale. */
  epoch = 0;

  constructor(
    private model: ChannelModel,
    private readonly options: StreamReaderOptions,
  ) {
    this.position = options.start;
  }

  get running(): boolean {
    return !this.stopped;
  }

  /** Resolves once the broker accepted the subscription (a 'next' start is fixed from then on). */
  async start(): Promise<void> {
    const channel = await this.model.createChannel();
    this.channel = channel;
    const epoch = this.epoch;
    channel.on('error', (error: Error) => this.logger.warn({ err: error, stream: this.options.stream }, 'stream channel error'));
    channel.on('close', () => {
      if (this.channel !== channel) return;
      this.channel = undefined;
      if (!this.stopped && this.epoch === epoch) this.options.lost(new Error(`the channel reading ${this.options.stream} closed`));
    });
    await channel.prefetch(this.options.prefetch);
    await channel.consume(
      this.options.stream,
      (message) => {
        if (message === null) {
          // Cancelled by the broker (the stream was deleted): as lost as a closed channel.
          if (!this.stopped && this.channel === channel) this.options.lost(new Error(`the broker cancelled the reader of ${this.options.stream}`));
          return;
        }
        if (this.channel !== channel) return;
        const offset = offsetOf(message);
        // A subscription at an offset may start at the beginning of the chunk holding it.
        if (typeof this.position === 'number' && offset < this.position) {
          channel.ack(message);
          return;
        }
        this.buffer.push(message);
        this.pumping ??= this.pump(channel).finally(() => {
          this.pumping = undefined;
        });
      },
      { noAck: false, arguments: { 'x-stream-offset': offsetArgument(this.position) } },
    );
  }

  /** The record at `offset` is finished: a resume starts after it. */
  resolved(offset: string): void {
    this.position = Number(offset) + 1;
  }

  /** Stops reading and drops what is buffered; the returned function reads again from the first unresolved record. */
  pause(): () => void {
    this.epoch++;
    this.buffer = [];
    const channel = this.channel;
    this.channel = undefined;
    void channel?.close().catch(() => undefined);
    const epoch = this.epoch;
    return () => {
      if (this.stopped || this.epoch !== epoch) return;
      this.start().catch((error: unknown) => this.options.lost(error instanceof Error ? error : new Error(String(error))));
    };
  }

  /**
   * Reads on, on another connection (a broadcast reader after an outage), from the record after
   * the last one resolved: what was appended meanwhile is read too (a gateway would otherwise never
   * deliver those messages live). Before anything was resolved, from the next record appended.
   */
  async reattach(model: ChannelModel): Promise<void> {
    this.model = model;
    this.epoch++;
    this.buffer = [];
    await this.start();
  }

  /** Waits for the batch in hand, then closes the channel. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.buffer = [];
    await this.pumping;
    const channel = this.channel;
    this.channel = undefined;
    await channel?.close().catch(() => undefined);
  }

  private async pump(channel: Channel): Promise<void> {
    while (this.buffer.length > 0 && !this.stopped && this.channel === channel) {
      const batch = this.buffer.splice(0, MAX_BATCH);
      // Until something is resolved, a resume starts at the first record handed over.
      if (typeof this.position !== 'number') this.position = offsetOf(batch[0]);
      await this.options.deliver(batch.map(rawMessage), this.epoch);
      if (this.channel === channel) channel.ack(batch[batch.length - 1], true);
    }
  }
}

/** How long streamEnd waits for the last chunk, and for the rest of it once it comes. */
const END_WAIT = { firstMs: 1_000, quietMs: 250 };

/**
 * The offset after the last record of a stream, as far as AMQP tells: it has no call for a
 * stream's length (a passive declare counts 0 messages), so a reader subscribes at 'last', which
 * the broker answers at once with the stream's last chunk, and takes the highest offset delivered
 * until the deliveries pause. 0 when nothing came within the first wait (an empty stream). Both
 * waits err on the short side only: a record missed here is merely left for a later reader.
 */
export async function streamEnd(model: ChannelModel, stream: string, wait: { firstMs: number; quietMs: number } = END_WAIT): Promise<number> {
  let end = 0;
  let lastDelivery: number | undefined;
  let failure: Error | undefined;
  const reader = new StreamReader(model, {
    stream,
    start: 'last',
    prefetch: MAX_BATCH,
    deliver: (messages) => {
      end = Math.max(end, Number(messages[messages.length - 1].offset) + 1);
      lastDelivery = Date.now();
      return Promise.resolve();
    },
    lost: (error) => {
      failure = error;
    },
  });
  const started = Date.now();
  await reader.start();
  try {
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (failure !== undefined) throw failure;
      const now = Date.now();
      if (lastDelivery === undefined ? now - started >= wait.firstMs : now - lastDelivery >= wait.quietMs) return end;
    }
  } finally {
    await reader.stop();
  }
}

function offsetArgument(start: StreamStart): number | string | { '!': 'timestamp'; value: number } {
  if (typeof start === 'object') return { '!': 'timestamp', value: Math.floor(start.since / 1000) };
  return start;
}

function offsetOf(message: ConsumeMessage): number {
  const offset: unknown = (message.properties.headers ?? {})['x-stream-offset'];
  if (typeof offset !== 'number') throw new Error('a stream delivery without x-stream-offset');
  return offset;
}

/** The record as the shared consumer code knows it (a Kafka record's shape). */
export function rawMessage(message: ConsumeMessage): RawMessage {
  const headers: RawHeaders = {};
  let key: Buffer | null = null;
  let timestamp = '0';
  for (const [name, value] of Object.entries(message.properties.headers ?? {})) {
    if (name === 'x-stream-offset' || name === 'x-stream-chunk-timestamp' || value === undefined || value === null) continue;
    const text = Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
    if (name === BUS_HEADERS.key) key = Buffer.from(text, 'utf8');
    else if (name === BUS_HEADERS.timestamp) timestamp = text;
    else headers[name] = text;
  }
  return { key, value: message.content, headers, offset: String(offsetOf(message)), timestamp };
}
