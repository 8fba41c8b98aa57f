// How often, and how patiently, a failing handler is tried again before its record is parked in
// the dead-letter topic. The wait keeps the consumer's group membership alive (heartbeats) and
// ends early when the consumer is stopping, so a shutdown never waits for a backoff.

export interface RetryPolicy {
  /** Calls of the handler in all, the first included. 1 means no retry. */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  multiplier: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 5_000, multiplier: 2 };

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

/** The wait before attempt `attempt + 1`, after `attempt` failures (1-based), with ±20 % jitter. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** (attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

export interface RetryControls {
  /** Keeps the consumer in its group during long waits; throws when the group is rebalancing. */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping: waiting is abandoned and the record left unresolved. */
  isRunning(): boolean;
}

export type RetryOutcome =
  | { kind: 'succeeded' }
  | { kind: 'exhausted'; attempts: number; error: unknown }
  | { kind: 'stopped'; attempts: number };

export interface RetryRunnerDeps {
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  onAttemptFailed?: (attempt: number, error: unknown, delayMs: number) => void;
}

const HEARTBEAT_SLICE_MS = 500;

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function runWithRetry(
  work: () => Promise<void>,
  policy: RetryPolicy,
  controls: RetryControls,
  deps: RetryRunnerDeps,
): Promise<RetryOutcome> {
  const maxAttempts = Math.max(1, policy.maxAttempts);
  for (let attempt = 1; ; attempt++) {
    try {
      await work();
      return { kind: 'succeeded' };
    } catch (error) {
      if (error instanceof NonRetriableError || attempt >= maxAttempts) return { kind: 'exhausted', attempts: attempt, error };
      const delay = backoffDelay(policy, attempt, deps.random);
      deps.onAttemptFailed?.(attempt, error, delay);
      const completed = await waitWhileRunning(delay, controls, deps.sleep);
      if (!completed) return { kind: 'stopped', attempts: attempt };
    }
  }
}

/** Sleeps in slices, heartbeating between them; false when the consumer stopped meanwhile. */
async function waitWhileRunning(ms: number, controls: RetryControls, sleep: (ms: number) => Promise<void>): Promise<boolean> {
  let left = ms;
  while (left > 0) {
    if (!controls.isRunning()) return false;
    const slice = Math.min(left, HEARTBEAT_SLICE_MS);
    await sleep(slice);
    left -= slice;
    await controls.heartbeat();
  }
  return controls.isRunning();
}
