// What `npm start` does when a service process dies, as an operator's supervisor would (systemd's
// Restart=on-failure with StartLimitBurst, Kubernetes' CrashLoopBackOff): start it again after a
// delay that doubles with each exit, say so in the log, and give up (stop everything) only when
// it died more than `maxRestarts` times within `windowMs`. A process that is up but answers
// /health/live with an error (a consumer whose restarts are spent) is stopped so that it is
// restarted the same way.
import { type ChildProcess } from 'node:child_process';

export interface RestartPolicy {
  /** Restarts allowed within the window; one exit more gives up. */
  maxRestarts: number;
  windowMs: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { maxRestarts: 5, windowMs: 5 * 60_000, initialDelayMs: 1_000, maxDelayMs: 30_000 };

export type RestartDecision = { kind: 'restart'; attempt: number; delayMs: number } | { kind: 'give-up'; exits: number };

/** The exits of one process within the policy's window, and what to do about the latest one. */
export class RestartBudget {
  private exits: number[] = [];

  constructor(private readonly policy: RestartPolicy) {}

  exited(now: number): RestartDecision {
    this.exits = this.exits.filter((at) => now - at < this.policy.windowMs);
    this.exits.push(now);
    const attempt = this.exits.length;
    if (attempt > this.policy.maxRestarts) return { kind: 'give-up', exits: attempt };
    return { kind: 'restart', attempt, delayMs: Math.min(this.policy.maxDelayMs, this.policy.initialDelayMs * 2 ** (attempt - 1)) };
  }
}

export interface Supervised {
  readonly name: string;
  /** Starts the process (again). */
  spawn(): ChildProcess;
}

export interface SupervisorEvents {
  say(message: string): void;
  /** The process was started (first time or again). */
  started(name: string, child: ChildProcess, restart: boolean): void;
  /** It died too often: the caller stops everything. */
  gaveUp(name: string): void;
}

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;

export class Supervisor {
  private stopping = false;
  private readonly budgets = new Map<string, RestartBudget>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly events: SupervisorEvents,
    private readonly policy: RestartPolicy = DEFAULT_RESTART_POLICY,
    private readonly now: () => number = Date.now,
  ) {}

  start(process: Supervised, restart = false): ChildProcess {
    const child = process.spawn();
    child.once('exit', (code, signal) => this.exited(process, code, signal));
    this.events.started(process.name, child, restart);
    return child;
  }

  /** No more restarts (the system is shutting down). */
  stop(): void {
    this.stopping = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private exited(process: Supervised, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping) return;
    const how = signal ?? `code ${code}`;
    let budget = this.budgets.get(process.name);
    if (!budget) this.budgets.set(process.name, (budget = new RestartBudget(this.policy)));
    const decision = budget.exited(this.now());
    if (decision.kind === 'give-up') {
      this.events.say(`${process.name} exited (${how}) ${decision.exits} times within ${seconds(this.policy.windowMs)}; giving up`);
      this.events.gaveUp(process.name);
      return;
    }
    this.events.say(
      `${process.name} exited (${how}); restarting it in ${seconds(decision.delayMs)} (restart ${decision.attempt} of ${this.policy.maxRestarts} within ${seconds(this.policy.windowMs)})`,
    );
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopping) this.start(process, true);
    }, decision.delayMs);
    this.timers.add(timer);
  }
}

/**
 * Counts a process's failed liveness answers in a row (an answer that is not 200; a refused
 * connection is a process still starting, not a failure) and says when it should be restarted.
 */
export class LivenessWatch {
  private failures = 0;

  constructor(private readonly threshold = 3) {}

  /** `status` is the HTTP status of GET /health/live, or null when nothing answered. True: restart it. */
  answered(status: number | null): boolean {
    if (status === null) return false;
    this.failures = status === 200 ? 0 : this.failures + 1;
    if (this.failures < this.threshold) return false;
    this.failures = 0;
    return true;
  }
}
