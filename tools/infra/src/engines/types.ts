import { type InfraLayout, type ManagedEngine } from '../layout';
import { type Probe } from '../probes';

/** How an engine ended up after `up`. */
export type UpStatus = 'started' | 'already-up' | 'external' | 'system' | 'failed';

export interface EngineResult {
  readonly name: string;
  readonly status: UpStatus;
  readonly endpoint: string;
  readonly pid?: number;
  readonly elapsedMs: number;
  /** What answered the probe, or why it failed. */
  readonly detail: string;
}

export interface PortUse {
  readonly port: number;
  /** Default 127.0.0.1 (a cluster's Cassandra nodes listen on 127.0.0.2, 127.0.0.3…). */
  readonly host?: string;
  readonly role: string;
}

/** What the JVM is started with (classpath and main class are added by the runner). */
export interface JavaLaunch {
  readonly jvmArgs: readonly string[];
  readonly mainArgs: readonly string[];
}

export interface PrepareContext {
  readonly layout: InfraLayout;
  readonly classpath: readonly string[];
  readonly java: string;
  readonly say: (message: string) => void;
}

/** A Java engine that tools/infra starts as a detached process. */
export interface JavaEngine {
  /** The process: names its pid, log, data and argument files (`kafka`, or `kafka-2` in a cluster). */
  readonly name: string;
  /** Whose jars it runs (the classpath cache is per artifact). */
  readonly artifact: ManagedEngine;
  /** e.g. "Kafka 4.4.0". */
  readonly title: string;
  readonly mainClass: string;
  /** First entry is the client port (the one the probe talks to). */
  readonly ports: readonly PortUse[];
  readonly endpoint: string;
  readonly pomFile: string;
  readonly approxDownloadMb: number;
  readonly readyTimeoutMs: number;
  /**
   * Heavy engine: launched only once the light ones answer (or after a cap), because on a
   * 2-core machine three JVMs booting at once take longer than one after the other.
   */
  readonly startsLast?: boolean;
  /**
   * Runs the JVM under `nice -n <niceness>` (every thread inherits it). Linux shares CPU per
   * thread: on a 2-core machine a busy engine with dozens of runnable threads would otherwise take
   * the cores from the single-threaded Node services for hundreds of ms at a time.
   */
  readonly niceness?: number;
  /** Optional log line to wait for before probing (Cassandra's "Startup complete"). */
  readonly readyLogLine?: RegExp;
  /** Writes configs / formats storage, returns the JVM launch. */
  prepare(context: PrepareContext): Promise<JavaLaunch>;
  /** The real readiness check used by `up`. */
  readonly probe: Probe;
  /** A cheaper check used by `status`. */
  readonly quickProbe: Probe;
}

/** What `status` reports per engine. */
export interface EngineStatus {
  readonly name: string;
  readonly state: 'up' | 'up (not ours)' | 'up (system)' | 'starting' | 'down' | 'not answering';
  readonly pid?: number;
  readonly endpoint: string;
  readonly detail: string;
}
