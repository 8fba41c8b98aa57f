// The system the load runs against: either started here (auth, messaging, presence and one
// gateway as processes on free ports, isolated like an e2e run: own topic prefix, keyspace,
// database and Redis key prefix, dropped afterwards) or an already running `npm start` (--target).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CASSANDRA_CONTACT_POINTS, KAFKA_BROKERS, LOCAL_ENGINES } from '@chat/infra';
import { dropRunData, freePort, ServiceProcess, uniqueName } from '@chat/testing';
import { inspectFlag } from './inspector';

type Service = 'auth' | 'messaging' | 'presence' | 'gateway';

export interface SystemUnderTest {
  readonly origin: string;
  /** Where the gateway serves /metrics (its internal METRICS_PORT), when known: the per-hop breakdown. */
  readonly metricsOrigin?: string | undefined;
  /** The messaging keyspace (history seeds it). */
  readonly keyspace: string;
  /** The gateway's inspector port, when the bench started it with one. */
  readonly gatewayInspectPort?: number | undefined;
  /** Node processes of the services, by name, when known. */
  servicePids(): Promise<Map<string, number>>;
  stop(): Promise<void>;
}

/**
 * What a bench system relaxes compared with production defaults, and why: the load registers
 * thousands of accounts from one address (registration limit, argon2 cost) and sends at a fixed
 * aggregate rate that the per-user send budget would otherwise shape.
 */
export const BENCH_ENV = {
  AUTH_REGISTER_LIMIT_PER_ADDRESS: '1000000',
  AUTH_ARGON2_MEMORY_KIB: '8192',
  AUTH_ARGON2_TIME_COST: '1',
  AUTH_ACCESS_TOKEN_TTL_SECONDS: '7200',
  SEND_RATE_LIMIT: '100000/1s',
  // Thousands of users connect and call REST from a few loopback addresses.
  HANDSHAKE_RATE_LIMIT_PER_ADDRESS: '999999/1s',
  HANDSHAKE_RATE_LIMIT_PER_USER: '999999/1s',
  REST_RATE_LIMIT_PER_ADDRESS: '999999/1s',
  REST_RATE_LIMIT_PER_USER: '999999/1s',
  SOCKETS_PER_USER: '10000',
  LOG_LEVEL: 'warn',
};

export class StartedSystem implements SystemUnderTest {
  readonly run = uniqueName('bench');
  private readonly processes = new Map<Service, ServiceProcess>();

  private constructor(
    private readonly profileDir: string | undefined,
    private readonly logDir: string | undefined,
    /** The gateway's inspector port, when it was started with one (idle-sockets' heap after GC). */
    readonly gatewayInspectPort: number | undefined,
    private readonly gatewayMetricsPort: number,
  ) {}

  get metricsOrigin(): string {
    return `http://127.0.0.1:${this.gatewayMetricsPort}`;
  }

  /**
   * `logDir`: where each service's last output is written when the system stops. `inspectGateway`:
   * start the gateway with the inspector on a loopback port (bench only: production never does).
   */
  static async start(options: { profileDir?: string; logDir?: string; inspectGateway?: boolean } = {}): Promise<StartedSystem> {
    const system = new StartedSystem(options.profileDir, options.logDir, options.inspectGateway ? await freePort() : undefined, await freePort());
    try {
      await system.launch();
    } catch (error) {
      await system.stop();
      throw error;
    }
    return system;
  }

  get origin(): string {
    return this.processes.get('gateway')?.url ?? 'http://127.0.0.1:0';
  }

  get keyspace(): string {
    return `${this.run}_messaging`;
  }

  private async launch(): Promise<void> {
    const ports = new Map<Service, number>();
    for (const service of ['auth', 'messaging', 'presence', 'gateway'] as const) ports.set(service, await freePort());
    const url = (service: Service): string => `http://127.0.0.1:${ports.get(service)}`;
    const common = {
      ...BENCH_ENV,
      KAFKA_BROKERS: KAFKA_BROKERS.join(','),
      KAFKA_TOPIC_PREFIX: `${this.run}.`,
      JWKS_URL: `${url('auth')}/auth/.well-known/jwks.json`,
    };
    const env: Record<Service, Record<string, string>> = {
      auth: { POSTGRES_URL: `postgres://postgres@127.0.0.1:5432/${this.run}_auth`, AUTH_REDIS_KEY_PREFIX: `${this.run}.auth:` },
      messaging: { CASSANDRA_CONTACT_POINTS: CASSANDRA_CONTACT_POINTS.join(','), CASSANDRA_KEYSPACE: this.keyspace },
      presence: {},
      gateway: { AUTH_URL: url('auth'), MESSAGING_URL: url('messaging'), PRESENCE_URL: url('presence'), FILES_URL: 'http://127.0.0.1:9', METRICS_PORT: String(this.gatewayMetricsPort) },
    };
    const profiled = new Set<Service>(['gateway', 'messaging']);
    const groups: Service[][] = [['auth'], ['messaging', 'presence'], ['gateway']];
    for (const group of groups) {
      const started = group.map((service) => {
        const nodeArgs = this.profileDir && profiled.has(service) ? ['--cpu-prof', `--cpu-prof-dir=${join(this.profileDir, service)}`] : [];
        if (service === 'gateway' && this.gatewayInspectPort !== undefined) nodeArgs.push(inspectFlag(this.gatewayInspectPort));
        const process = new ServiceProcess({ service, name: `${this.run}-${service}`, port: ports.get(service) ?? 0, env: { ...common, ...env[service] }, nodeArgs });
        this.processes.set(service, process);
        return process.start();
      });
      await Promise.all(started.map((process) => process.waitReady(180_000)));
    }
  }

  servicePids(): Promise<Map<string, number>> {
    const pids = new Map<string, number>();
    for (const [service, process] of this.processes) if (process.pid !== undefined) pids.set(service, process.pid);
    return Promise.resolve(pids);
  }

  async stop(): Promise<void> {
    // The gateway first, so nothing new reaches messaging while it drains.
    await this.processes.get('gateway')?.stop();
    await Promise.all([...this.processes.values()].map((process) => process.stop()));
    if (this.logDir) {
      await mkdir(this.logDir, { recursive: true });
      for (const [service, process] of this.processes) await writeFile(join(this.logDir, `${service}.log`), process.logs());
    }
    await dropRunData(
      { topicPrefix: `${this.run}.`, databases: [`${this.run}_auth`], keyspaces: [this.keyspace], buckets: [] },
      // On BUS=rabbitmq (inherited by the services like any variable) the run's streams are dropped too.
      { ...LOCAL_ENGINES, ...(process.env['BUS'] === 'rabbitmq' ? { rabbitmqUrl: process.env['RABBITMQ_URL'] ?? 'amqp://127.0.0.1:5672' } : {}) },
    ).catch((error: unknown) => process.stderr.write(`bench: could not drop the run's data: ${String(error)}\n`));
  }
}

/** An already running system (`npm start`): services found by the entry point in their command line. */
export class TargetSystem implements SystemUnderTest {
  constructor(
    readonly origin: string,
    readonly keyspace: string,
  ) {}

  async servicePids(): Promise<Map<string, number>> {
    const { findProcesses } = await import('../sampler');
    const pids = new Map<string, number>();
    for (const service of ['auth', 'messaging', 'presence', 'files', 'gateway']) {
      const found = await findProcesses(new RegExp(`apps/${service}/(src/)?main\\.(ts|js)`));
      found.forEach((pid, i) => pids.set(found.length > 1 ? `${service}-${i}` : service, pid));
    }
    return pids;
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }
}
