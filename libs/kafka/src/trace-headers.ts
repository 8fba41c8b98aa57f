// Timestamps a command and the sequenced record it causes carry in their Kafka headers, so the
// gateway that delivers it can tell where a message's time went (gateway → Kafka → messaging →
// Kafka → gateway).
// Values are milliseconds since the epoch with microsecond decimals; every process on one machine
// reads the same clock, across machines the hops are only as good as clock synchronisation.
import { performance } from 'node:perf_hooks';

export const TRACE_HEADERS = {
  /** The gateway handed the command to its producer. */
  gatewayPublished: 'x-trace-gateway-published',
  /** The command record's Kafka timestamp (its producer sent it), stamped by messaging on receipt. */
  commandSent: 'x-trace-command-sent',
  /** messaging started executing the command (after waiting for its turn in the partition). */
  messagingStarted: 'x-trace-messaging-started',
} as const;

export type TraceHeaderName = (typeof TRACE_HEADERS)[keyof typeof TRACE_HEADERS];

export function traceNow(): string {
  return (performance.timeOrigin + performance.now()).toFixed(3);
}

/**
 * Which commands carry trace headers: every `every`-th one (1: all; 0: none). Headers are not free
 * on the hot path (kafkajs encodes and decodes each one at every hop, about 14 µs per record for
 * three), and the hop histograms need a sample, not every send.
 */
export class TraceSampler {
  private count = 0;

  constructor(private readonly every: number) {}

  /** Whether the next record is traced. */
  next(): boolean {
    if (this.every <= 0) return false;
    this.count = (this.count + 1) % this.every;
    return this.count === 0;
  }
}

/** The trace headers among `headers` (a consumed record's), to carry on to the next record. */
export function traceOf(headers: Readonly<Record<string, string>>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of Object.values(TRACE_HEADERS)) {
    const value = headers[name];
    if (value !== undefined) kept[name] = value;
  }
  return kept;
}

/** Milliseconds between two trace stamps (undefined when either is missing or malformed). */
export function traceSpan(from: string | undefined, to: string | number | undefined): number | undefined {
  const a = Number(from);
  const b = Number(to);
  return from === undefined || to === undefined || !Number.isFinite(a) || !Number.isFinite(b) ? undefined : b - a;
}
