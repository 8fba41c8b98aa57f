// Messages between the harness (parent) and its load workers (child processes over IPC).

/** One socket a worker opens: whose token, and the channels it may send to (relay: rooms to join). */
export interface SocketSpec {
  userId: string;
  token: string;
  channels: string[];
}

/** A socket and the gateway (origin) it connects to. */
export type ConnectSpec = SocketSpec & { origin: string };

export type ToWorker =
  | { type: 'connect'; sockets: ConnectSpec[]; addresses: number; firstAddress: number; concurrency: number }
  /** Send `rate` messages/s from `startAt` (epoch ms) for `durationMs`; `sending: false` only listens. */
  | { type: 'phase'; phase: string; rate: number; startAt: number; durationMs: number; textBytes: number; coverChannels?: boolean }
  | { type: 'progress' }
  | { type: 'report'; phase: string }
  | { type: 'close' };

export type FromWorker =
  | { type: 'connected'; connected: number; failed: number; errors: string[] }
  | { type: 'sent'; phase: string; sent: number; acked: number; unanswered: number; errors: Record<string, number>; sentByChannel: Record<string, number>; ackedByChannel: Record<string, number> }
  /** `presence`: `presence` events these sockets got so far, and when the last one came (epoch ms, 0: none). */
  | { type: 'progress'; received: Record<string, number>; disconnects: number; presence: { events: number; lastAt: number } }
  | { type: 'result'; phase: string; result: PhaseResult }
  | { type: 'closed' };

export interface PhaseResult {
  /** send→ack latency, µs, HDR compressed base64. */
  ack: string;
  /** send→receive latency of each first delivery (per socket and message) at every receiving socket, µs. */
  delivery: string;
  received: number;
  /** First deliveries that arrived before the sending window ended. */
  inWindow: number;
  duplicates: number;
  reordered: number;
  /** Per channel: sockets of this worker in it, and the distinct messages of the phase they got, summed. */
  channels: Record<string, { sockets: number; distinct: number }>;
  disconnects: number;
}

/**
 * Text of a bench message: marker, phase, scheduled send time and the end of the phase's sending
 * window (epoch ms, fractional), padding. A receiver needs nothing else to place a delivery.
 */
export function benchText(phase: string, scheduledAt: number, windowEnd: number, bytes: number): string {
  const head = `bench|${phase}|${scheduledAt.toFixed(3)}|${windowEnd.toFixed(0)}|`;
  return head.length >= bytes ? head : head + 'x'.repeat(bytes - head.length);
}

export function parseBenchText(text: string): { phase: string; scheduledAt: number; windowEnd: number } | undefined {
  if (!text.startsWith('bench|')) return undefined;
  const [, phase, at, end] = text.split('|', 4);
  const scheduledAt = Number(at);
  const windowEnd = Number(end);
  return phase !== undefined && Number.isFinite(scheduledAt) && Number.isFinite(windowEnd) ? { phase, scheduledAt, windowEnd } : undefined;
}
