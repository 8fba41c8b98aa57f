// Brings a consumer back after kafkajs gave up on it ("crashed for good": kafkajs restarts a
// consumer itself only after retriable errors). Each restart is a fresh client that joins the
// group again and continues from the committed offsets, after a growing delay. A consumer that
// crashes again within `stableAfterMs` of its restart counts as a failed restart; after
// `attempts` of those in a row it is given up, and the process's liveness fails so that the
// orchestrator (Kubernetes, `npm start`) restarts the whole process instead of leaving it up
// and unready for good.
import { backoffDelay } from './retry.policy';

export interface RestartPolicy {
  /** Failed restarts in a row before the consumer is given up. Default 5. */
  attempts: number;
  /** Delay before the first restart, doubled each time up to `maxDelayMs`. Default 1 s. */
  initialDelayMs: number;
  /** Default 30 s. */
  maxDelayMs: number;
  /** A consumer that ran this long counts as recovered. Default 60 s. */
  stableAfterMs: number;
  /**
   * After kafkajs restarted a consumer itself, how long it may go without fetching before it is
   * taken for crashed for good (see RejoinWatch). Default 60 s.
   */
  rejoinTimeoutMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { attempts: 5, initialDelayMs: 1_000, maxDelayMs: 30_000, stableAfterMs: 60_000, rejoinTimeoutMs: 60_000 };

export type ConsumerState = 'running' | 'restarting' | 'given-up' | 'stopped';

export interface RestartHooks {
  /** A restart is scheduled (`attempt` is 1-based). */
  scheduled(attempt: number, delayMs: number, error: unknown): void;
  /** A restart started the consumer again. */
  restarted(attempt: number): void;
  /** The attempts are spent. */
  gaveUp(attempts: number, error: unknown): void;
}

export interface RestartDeps {
  now?: () => number;
  random?: () => number;
}

export class ConsumerRestarts {
  private current: ConsumerState = 'running';
  private failures = 0;
  private startedAt: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(
    private readonly policy: RestartPolicy,
    /** Starts a fresh consumer; rejects when it could not. */
    private readonly start: () => Promise<void>,
    private readonly hooks: RestartHooks,
    deps: RestartDeps = {},
  ) {
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.startedAt = this.now();
  }

  get state(): ConsumerState {
    return this.current;
  }

  /** The consumer crashed and will not be restarted by its client. */
  crashed(error: unknown): void {
    if (this.current === 'stopped' || this.current === 'given-up') return;
    if (this.current === 'running' && this.now() - this.startedAt >= this.policy.stableAfterMs) this.failures = 0;
    this.failures++;
    if (this.failures > this.policy.attempts) {
      this.current = 'given-up';
      this.hooks.gaveUp(this.failures - 1, error);
      return;
    }
    this.current = 'restarting';
    const delayMs = backoffDelay({ initialDelayMs: this.policy.initialDelayMs, maxDelayMs: this.policy.maxDelayMs, multiplier: 2 }, this.failures, this.random);
    this.hooks.scheduled(this.failures, delayMs, error);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.restart(), delayMs);
  }

  /** The consumer is being stopped on purpose: no more restarts. */
  stop(): void {
    this.current = 'stopped';
    clearTimeout(this.timer);
  }

  private async restart(): Promise<void> {
    this.timer = undefined;
    if (this.current !== 'restarting') return;
    try {
      await this.start();
    } catch (error) {
      // Counts as another failed restart; `crashed` schedules the next one or gives up.
      this.current = 'running';
      this.startedAt = this.now();
      this.crashed(error);
      return;
    }
    if (this.current !== 'restarting') return;
    this.current = 'running';
    this.startedAt = this.now();
    this.hooks.restarted(this.failures);
  }
}
