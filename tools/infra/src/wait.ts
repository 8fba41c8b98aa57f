export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects with `${what} timed out after Nms` if `work` does not settle in time (work itself keeps running). */
export async function withTimeout<T>(what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms}ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export type WaitOutcome<T> =
  | { readonly ok: true; readonly value: T; readonly attempts: number }
  | { readonly ok: false; readonly reason: 'timeout' | 'aborted'; readonly detail: string; readonly attempts: number };

export interface WaitOptions<T> {
  readonly timeoutMs: number;
  readonly intervalMs: number;
  /** One try; throws while not ready. */
  readonly attempt: () => Promise<T>;
  /** Checked before each try: a string stops waiting (e.g. "process exited with code 1"). */
  readonly abortReason?: () => Promise<string | undefined>;
  /** Called every `heartbeatMs` while still waiting. */
  readonly onHeartbeat?: (elapsedMs: number, lastError: string) => void;
  readonly heartbeatMs?: number;
  readonly now?: () => number;
}

/** Retries `attempt` until it resolves, the deadline passes or `abortReason` says stop. */
export async function waitUntil<T>(options: WaitOptions<T>): Promise<WaitOutcome<T>> {
  const now = options.now ?? Date.now;
  const start = now();
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  let lastBeat = start;
  let lastError = 'not tried yet';
  let attempts = 0;
  for (;;) {
    const abort = options.abortReason ? await options.abortReason() : undefined;
    if (abort !== undefined) return { ok: false, reason: 'aborted', detail: abort, attempts };
    attempts++;
    try {
      return { ok: true, value: await options.attempt(), attempts };
    } catch (error) {
      lastError = errorMessage(error);
    }
    const elapsed = now() - start;
    if (elapsed >= options.timeoutMs) return { ok: false, reason: 'timeout', detail: lastError, attempts };
    if (options.onHeartbeat && now() - lastBeat >= heartbeatMs) {
      lastBeat = now();
      options.onHeartbeat(elapsed, lastError);
    }
    await sleep(Math.min(options.intervalMs, Math.max(0, options.timeoutMs - elapsed)));
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.map((e) => errorMessage(e)).join('; ');
  }
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
