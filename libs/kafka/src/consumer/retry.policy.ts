// How a consumer treats a handler that throws. A failure is taken for an outage of something the
// handler needs (a database, a cache, an object store) unless the handler says otherwise by
// throwing NonRetriableError: the partition is paused and the record tried again with backoff,
// for as long as it takes, and nothing behind it is committed. Only records that can never
// succeed (not JSON, schema-invalid, or a NonRetriableError) are parked in the dead-letter topic,
// so a short outage never turns into a record nobody replays.
//
// `maxAttempts` bounds the attempts for consumers that prefer to drop over to wait (a gateway's
// broadcast fan-out: a stale event is worth less than the ones behind it); it is unbounded by
// default.

export interface RetryPolicy {
  /** Handler calls in all, the first included, before the record is dead-lettered. Default unbounded. */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  multiplier: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: Number.POSITIVE_INFINITY,
  initialDelayMs: 200,
  maxDelayMs: 10_000,
  multiplier: 2,
};

/**
 * Thrown by a handler for a failure that retrying cannot fix (e.g. a business rule that will
 * reject the record every time): the record goes to the dead-letter topic at once.
 */
export class NonRetriableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NonRetriableError';
  }
}

export function isPermanentFailure(error: unknown): boolean {
  return error instanceof NonRetriableError;
}

/** The wait before attempt `attempt + 1`, after `attempt` failures (1-based), with ±20 % jitter. */
export function backoffDelay(policy: Pick<RetryPolicy, 'initialDelayMs' | 'maxDelayMs' | 'multiplier'>, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** Math.min(attempt - 1, 64));
  return Math.round(base * (0.8 + 0.4 * random()));
}

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
