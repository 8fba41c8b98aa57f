// Retries work that fails for a passing reason (an engine away) until it succeeds or the caller
// no longer owns the work; business refusals (AppError) are not retried but returned.
import { type Logger } from '@nestjs/common';
import { AppError } from '@chat/service-kit';

const BACKOFF_MS = { first: 50, max: 2_000 };

export interface Persistence {
  /** False once the work's partition moved on: stop retrying (the promise then never settles). */
  owned(): boolean;
  sleep(ms: number): Promise<void>;
  logger: Pick<Logger, 'warn'>;
}

export async function persistently<T>(what: string, work: () => Promise<T>, p: Persistence): Promise<T> {
  let backoff = BACKOFF_MS.first;
  for (;;) {
    if (!p.owned()) return new Promise<T>(() => undefined);
    try {
      return await work();
    } catch (error) {
      if (error instanceof AppError) throw error;
      p.logger.warn({ err: error, retryInMs: backoff }, `${what} failed; retrying`);
      await p.sleep(backoff);
      backoff = Math.min(backoff * 2, BACKOFF_MS.max);
    }
  }
}
