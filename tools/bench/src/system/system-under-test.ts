// The system the load runs against: either started here (auth, presence, one or more messaging
// instances and one or more gateways as processes on free ports, isolated like an e2e run: own
// topic prefix, keyspace, database and Redis key prefix, dropped afterwards) or an already running
// `npm start` (--target).
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CASSANDRA_CONTACT_POINTS, CASSANDRA_SUPERUSER, KAFKA_BROKERS, LOCAL_ENGINES } from '@chat/infra';
import { dropRunData, freePort, ServiceProcess, uniqueName } from '@chat/testing';
import { inspectFlag } from './inspector';
import { type Bus } from '../options';

type Service = 'auth' | 'messaging' | 'presence' | 'gateway';

export interface SystemUnderTest {
  /** The first gateway: REST (accounts, channels) goes there. */
  readonly origin: string;
  /** Every gateway's public origin: the load's sockets are spread over them. */
  readonly origins: readonly string[];
  /** Where each gateway serves /metrics (its internal METRICS_PORT), by instance name, when known: the per-hop breakdown. */
  readonly metricsOrigins: ReadonlyMap<string, string>;
  /** The messaging keyspace (history seeds it). */
  readonly keyspace: string;
  /** The gateway's inspector port, when the bench started it with one. */
  readonly gatewayInspectPort?: number | undefined;
  /** Node processes of the services, by instance name (`gateway`, or `gateway-1`, `gateway-2`… when several), when known. */
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

/** Instance names of a service: its own name when it runs once, else `<service>-1` … `<service>-n`. */
export function instanceNames(service: string, count: number): string[] {
  return count === 1 ? [service] : Array.from({ length: count }, (_, i) => `${service}-${i + 1}`);
}

interface Instance {
  service: Service;
  process: ServiceProcess;
}

export interface StartOptions {
  gateways?: number;
  messaging?: number;
  profileDir?: string;
  logDir?: string;
  /** Start the (single) gateway with the inspector on a loopback port (bench only: production never does). */
  inspectGateway?: boolean;
  /** The services' bus (BUS); default kafka. */
  bus?: Bus;
  /** Sends take the direct hop (a COMMAND_HOP_SECRET of the run's own); default true. */
  directHop?: boolean;
}

/** The RabbitMQ broker of a run on BUS=rabbitmq (RABBITMQ_URL, else the local one). */
const RABBITMQ_URL = process.env['RABBITMQ_URL'] ?? 'amqp://127.0.0.1:5672';

export class StartedSystem implements SystemUnderTest {
  readonly run = uniqueName('bench');
  /** By instance name, in start order. */
  private readonly instances = new Map<string, Instance>();
  private readonly gatewayMetricsPorts = new Map<string, number>();

  private constructor(
    private readonly options: StartOptions,
    /** The gateway's inspector port, when it was started with one (idle-sockets' heap after GC). */
    readonly gatewayInspectPort: number | undefined,
  ) {}

  /** `logDir`: where each instance's last output is written when the system stops. */
  static async start(options: StartOptions = {}): Promise<StartedSystem> {
    const system = new StartedSystem(options, options.inspectGateway ? await freePort() : undefined);
    try {
      await system.launch();
    } catch (error) {
      await system.stop();
      throw error;
    }
    return system;
  }

  private gateways(): ServiceProcess[] {
    return [...this.instances.values()].filter((i) => i.service === 'gateway').map((i) => i.process);
  }

  get origin(): string {
    return this.gateways()[0]?.url ?? 'http://127.0.0.1:0';
  }

  get origins(): string[] {
    return this.gateways().map((gateway) => gateway.url);
  }

  get metricsOrigins(): Map<string, string> {
    return new Map([...this.gatewayMetricsPorts].map(([name, port]) => [name, `http://127.0.0.1:${port}`]));
  }

  get keyspace(): string {
    return `${this.run}_messaging`;
  }

  get bus(): Bus {
    return this.options.bus ?? 'kafka';
  }

  private async launch(): Promise<void> {
    const gateways = instanceNames('gateway', this.options.gateways ?? 1);
    const messaging = instanceNames('messaging', this.options.messaging ?? 1);
    const ports = new Map<string, number>();
    for (const name of ['auth', 'presence', ...messaging, ...gateways]) ports.set(name, await freePort());
    for (const name of gateways) this.gatewayMetricsPorts.set(name, await freePort());
    const url = (name: string): string => `http://127.0.0.1:${ports.get(name)}`;
    const common = {
      ...BENCH_ENV,
      BUS: this.bus,
      ...(this.bus === 'rabbitmq' ? { RABBITMQ_URL } : {}),
      KAFKA_BROKERS: KAFKA_BROKERS.join(','),
      KAFKA_TOPIC_PREFIX: `${this.run}.`,
      JWKS_URL: `${url('auth')}/auth/.well-known/jwks.json`,
      ...(this.options.directHop === false ? {} : { COMMAND_HOP_SECRET: randomBytes(32).toString('base64url') }),
    };
    const env: Record<Service, Record<string, string>> = {
      auth: { POSTGRES_URL: `postgres://postgres@127.0.0.1:5432/${this.run}_auth`, AUTH_REDIS_KEY_PREFIX: `${this.run}.auth:` },
      // As the local superuser: messaging creates the bench's keyspace.
      messaging: {
        CASSANDRA_CONTACT_POINTS: CASSANDRA_CONTACT_POINTS.join(','),
        CASSANDRA_KEYSPACE: this.keyspace,
        CASSANDRA_USERNAME: CASSANDRA_SUPERUSER.username,
        CASSANDRA_PASSWORD: CASSANDRA_SUPERUSER.password,
      },
      // Presence's Redis keys include global indexes (gateway leases, grace deadlines): the run's own, as in e2e.
      presence: { PRESENCE_REDIS_KEY_PREFIX: `${this.run}.presence:` },
      gateway: { AUTH_URL: url('auth'), PRESENCE_URL: url('presence'), FILES_URL: 'http://127.0.0.1:9' },
    };
    // Gateway i calls messaging i mod m over REST (a load balancer in front of messaging would spread them too).
    const gatewayEnv = (i: number, name: string): Record<string, string> => ({
      MESSAGING_URL: url(messaging[i % messaging.length] ?? 'messaging'),
      METRICS_PORT: String(this.gatewayMetricsPorts.get(name)),
    });
    const profiled = new Set<Service>(['gateway', 'messaging']);
    const groups: [Service, string[]][][] = [[['auth', ['auth']]], [['messaging', messaging], ['presence', ['presence']]], [['gateway', gateways]]];
    for (const group of groups) {
      const started = group.flatMap(([service, names]) =>
        names.map((name, i) => {
          const nodeArgs = this.options.profileDir && profiled.has(service) ? ['--cpu-prof', `--cpu-prof-dir=${join(this.options.profileDir, name)}`] : [];
          if (service === 'gateway' && this.gatewayInspectPort !== undefined) nodeArgs.push(inspectFlag(this.gatewayInspectPort));
          const instanceEnv = { ...common, ...env[service], ...(service === 'gateway' ? gatewayEnv(i, name) : {}) };
          const process = new ServiceProcess({ service, name: `${this.run}-${name}`, port: ports.get(name) ?? 0, env: instanceEnv, nodeArgs });
          this.instances.set(name, { service, process });
          return process.start();
        }),
      );
      await Promise.all(started.map((process) => process.waitReady(180_000)));
    }
  }

  servicePids(): Promise<Map<string, number>> {
    const pids = new Map<string, number>();
    for (const [name, { process }] of this.instances) if (process.pid !== undefined) pids.set(name, process.pid);
    return Promise.resolve(pids);
  }

  async stop(): Promise<void> {
    // The gateways first, so nothing new reaches messaging while it drains.
    await Promise.all(this.gateways().map((gateway) => gateway.stop()));
    await Promise.all([...this.instances.values()].map(({ process }) => process.stop()));
    if (this.options.logDir) {
      await mkdir(this.options.logDir, { recursive: true });
      for (const [name, { process }] of this.instances) await writeFile(join(this.options.logDir, `${name}.log`), process.logs());
    }
    await dropRunData(
      { topicPrefix: `${this.run}.`, databases: [`${this.run}_auth`], keyspaces: [this.keyspace], buckets: [] },
      // On RabbitMQ the run's streams and queues are dropped too.
      { ...LOCAL_ENGINES, ...(this.bus === 'rabbitmq' ? { rabbitmqUrl: RABBITMQ_URL } : {}) },
    ).catch((error: unknown) => process.stderr.write(`bench: could not drop the run's data: ${String(error)}\n`));
  }
}

/** An already running system (`npm start`): services found by the entry point in their command line. */
export class TargetSystem implements SystemUnderTest {
  readonly metricsOrigins = new Map<string, string>();

  constructor(
    readonly origin: string,
    readonly keyspace: string,
  ) {}

  get origins(): string[] {
    return [this.origin];
  }

  async servicePids(): Promise<Map<string, number>> {
    const { findProcesses } = await import('../sampler');
    const pids = new Map<string, number>();
    for (const service of ['auth', 'messaging', 'presence', 'files', 'gateway']) {
      const found = await findProcesses(new RegExp(`apps/${service}/(src/)?main\\.(ts|js)`));
      const names = instanceNames(service, found.length);
      found.forEach((pid, i) => pids.set(names[i] ?? service, pid));
    }
    return pids;
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }
}
