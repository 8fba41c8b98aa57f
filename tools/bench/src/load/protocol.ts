// Messages between the harness (parent) and its load workers (child processes over IPC).

/** One socket a worker opens: whose token, and the channels it may send to (relay: rooms to join). */
export interface SocketSpec {
  userId: string;
  token: string;
  channels: string[];
}

export type ToWorker =
  | { type: 'connect'; origin: string; sockets: SocketSpec[]; addresses: number; firstAddress: number; concurrency: number }
  /** Send `rate` messages/s from `startAt` (epoch ms) for `durationMs`; `sending: false` only listens. */
  | { type: 'phase'; phase: string; rate: number; startAt: number; durationMs: number; textBytes: number }
  | { type: 'progress' }
  | { type: 'report'; phase: string }
  | { type: 'close' };

export type FromWorker =
  | { type: 'connected'; connected: number; failed: number; errors: string[] }
  | { type: 'sent'; phase: string; sent: number; acked: number; unanswered: number; errors: Record<string, number>; ackedByChannel: Record<string, number> }
  | { type: 'progress'; received: Record<string, number>; disconnects: number }
  | { type: 'result'; phase: string; result: PhaseResult }
  | { type: 'closed' };

export interface PhaseResult {
  /** send→ack latency, µs, HDR compressed base64. */
  ack: string;
  /** send→receive latency at every receiving socket, µs. */
  delivery: string;
  received: number;
  duplicates: number;
  reordered: number;
  /** Per channel: sockets of this worker in it, and the distinct messages of the phase they got, summed. */
  channels: Record<string, { sockets: number; distinct: number }>;
  disconnects: number;
}

/** Text of a bench message: marker, phase, scheduled send time (epoch ms, fractional), padding. */
export function benchText(phase: string, scheduledAt: number, bytes: number): string {
  const head = `bench|${phase}|${scheduledAt.toFixed(3)}|`;
  return head.length >= bytes ? head : head + 'x'.repeat(bytes - head.length);
}

export function parseBenchText(text: string): { phase: string; scheduledAt: number } | undefined {
  if (!text.startsWith('bench|')) return undefined;
  const [, phase, at] = text.split('|', 3);
  const scheduledAt = Number(at);
  return phase !== undefined && Number.isFinite(scheduledAt) ? { phase, scheduledAt } : undefined;
}
