// Readiness is the conjunction of checks registered by whatever owns a connection to an engine
// (a Kafka client, a Cassandra session, a repository's pool). Each check throws when not ready.
// Liveness checks are few and never consult an engine: they fail only when the process cannot
// recover by itself (a consumer whose restarts are spent), so that the orchestrator restarts it.
// A check with `degrades` names an engine the service can do without: while it fails the service
// stays ready, and the readiness answer says what is degraded instead of failing.
import { Injectable } from '@nestjs/common';

export interface ReadinessCheck {
  /** Short engine name shown in the readiness answer, e.g. `kafka`, `cassandra`. */
  readonly name: string;
  check(): Promise<void>;
  /**
   * Set when the service keeps serving without this engine: what it does meanwhile (e.g. "typing
   * is off; rate limits are per instance"). Its failure is reported, never made unready.
   */
  readonly degrades?: string;
}

@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();
  private readonly liveness = new Map<string, ReadinessCheck>();
  private draining = false;

  register(check: ReadinessCheck): void {
    if (this.checks.has(check.name)) throw new Error(`readiness check ${check.name} registered twice`);
    this.checks.set(check.name, check);
  }

  list(): ReadinessCheck[] {
    return [...this.checks.values()];
  }

  /** A check of `/health/live`: it must not consult an engine (an outage must not restart pods). */
  registerLiveness(check: ReadinessCheck): void {
    if (this.liveness.has(check.name)) throw new Error(`liveness check ${check.name} registered twice`);
    this.liveness.set(check.name, check);
  }

  listLiveness(): ReadinessCheck[] {
    return [...this.liveness.values()];
  }

  /** Set on SIGTERM: readiness fails so load balancers stop sending work while in-flight work ends. */
  startDraining(): void {
    this.draining = true;
  }

  isDraining(): boolean {
    return this.draining;
  }
}

/** Runs a check with a deadline, so that an engine that hangs reads as not ready instead of hanging. */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
