// Starts the real services as processes, on free ports, isolated from any other run: their own
// PostgreSQL databases, Cassandra keyspace, topic/group prefix (Kafka topics or RabbitMQ streams
// and queues), Redis data keyed by fresh ids, and S3 bucket. The same entry points `npm start` uses.
import { randomBytes } from 'node:crypto';
import { CASSANDRA_CONTACT_POINTS, CASSANDRA_SUPERUSER, KAFKA_BROKERS, LOCAL_ENGINES, rabbitmqUrl, S3_ACCESS_KEY_ID, S3_ENDPOINT, S3_SECRET_ACCESS_KEY } from '@chat/infra';
import { dropRunData, freePort, ServiceProcess, uniqueName } from '@chat/testing';

export type ServiceName = 'gateway' | 'auth' | 'messaging' | 'presence' | 'files';

export type Bus = 'kafka' | 'rabbitmq';

/** The bus of this Jest run: BUS (the RabbitMQ pass of `npm test` sets it, see jest.config.js), else Kafka. */
export function testBus(env: NodeJS.ProcessEnv = process.env): Bus {
  return env['BUS'] === 'rabbitmq' ? 'rabbitmq' : 'kafka';
}

export interface TestSystemOptions {
  services?: ServiceName[];
  /** The bus every process talks over; default testBus(). */
  bus?: Bus;
  gateways?: number;
  messaging?: number;
  /**
   * Where the engines are, as host:port, when not at their usual local addresses (a failure test
   * puts TCP proxies in between).
   */
  engines?: Partial<Record<'postgres' | 'redis' | 'cassandra' | 's3' | 'kafka' | 'rabbitmq', string>>;
  /** Extra variables for every process (or per service). */
  env?: Partial<Record<ServiceName | 'all', Record<string, string>>>;
  /**
   * Which messaging instance each gateway calls over REST (proxied `/api`, handshake memberships,
   * `sync`): `first` (default) sends every gateway to messaging-0; `spread` sends gateway-i to
   * messaging-(i mod n), so a failure test can kill one messaging instance and still read through
   * a gateway whose upstream lives (a load balancer in front of messaging would do the same).
   */
  gatewayMessaging?: 'first' | 'spread';
  /**
   * How long the whole start may take. Below Jest's hook timeout (120 s) on purpose: a process
   * that never gets ready then fails the start with its own output, not with a bare hook timeout.
   */
  startTimeoutMs?: number;
}

const POSTGRES_ADMIN = 'postgres://postgres@127.0.0.1:5432';

export class TestSystem {
  readonly run = uniqueName('e2e');
  readonly processes: ServiceProcess[] = [];
  private readonly ports = new Map<string, number>();
  private readonly hopSecret = randomBytes(32).toString('base64url');

  readonly bus: Bus;

  private constructor(private readonly options: TestSystemOptions) {
    this.bus = options.bus ?? testBus();
  }

  static async start(options: TestSystemOptions = {}): Promise<TestSystem> {
    const system = new TestSystem(options);
    try {
      await system.launch();
    } catch (error) {
      // The caller never gets the system, so its afterAll cannot drop what the start created
      // (on RabbitMQ each run's ~190 streams hold broker file descriptors until deleted).
      await system.stop();
      await system.dropData().catch(() => undefined);
      throw error;
    }
    return system;
  }

  get databases(): string[] {
    return [`${this.run}_auth`, `${this.run}_files`];
  }

  /** Variables shared by every process of this run. */
  commonEnv(): Record<string, string> {
    return {
      BUS: this.bus,
      ...(this.bus === 'rabbitmq' ? { RABBITMQ_URL: this.rabbitmqUrl() } : {}),
      KAFKA_BROKERS: this.options.engines?.kafka ?? KAFKA_BROKERS.join(','),
      REDIS_URL: `redis://${this.options.engines?.redis ?? '127.0.0.1:6379'}`,
      KAFKA_TOPIC_PREFIX: `${this.run}.`,
      JWKS_URL: `http://127.0.0.1:${this.port('auth')}/auth/.well-known/jwks.json`,
      // The run's own secret of the direct hop (gateway → the partition's owner in messaging).
      COMMAND_HOP_SECRET: this.hopSecret,
      ...this.options.env?.all,
    };
  }

  envFor(service: ServiceName, instance = 0): Record<string, string> {
    const engines = this.options.engines ?? {};
    const postgres = engines.postgres ? `postgres://postgres@${engines.postgres}` : POSTGRES_ADMIN;
    const specific: Record<ServiceName, Record<string, string>> = {
      // Auth's Redis keys (rate-limit counters per client address, all 127.0.0.1 here) are the
      // run's own, so one run's registrations never count against another's.
      auth: { POSTGRES_URL: `${postgres}/${this.run}_auth`, AUTH_REDIS_KEY_PREFIX: `${this.run}.auth:` },
      messaging: {
        CASSANDRA_CONTACT_POINTS: engines.cassandra ?? CASSANDRA_CONTACT_POINTS.join(','),
        CASSANDRA_KEYSPACE: `${this.run}_messaging`,
        // The local node asks for a login; messaging creates its run's keyspace, which takes the
        // superuser (npm start's own role, granted a keyspace made for it, is local-cassandra-roles'
        // spec's). The cluster's nodes and the integration containers ignore it.
        CASSANDRA_USERNAME: CASSANDRA_SUPERUSER.username,
        CASSANDRA_PASSWORD: CASSANDRA_SUPERUSER.password,
      },
      // Presence's Redis keys include global indexes (gateway leases, grace deadlines): per run.
      presence: { PRESENCE_REDIS_KEY_PREFIX: `${this.run}.presence:` },
      files: {
        POSTGRES_URL: `${postgres}/${this.run}_files`,
        S3_ENDPOINT: engines.s3 ? `http://${engines.s3}` : S3_ENDPOINT,
        S3_ACCESS_KEY_ID,
        S3_SECRET_ACCESS_KEY,
        S3_BUCKET: `${this.run}-files`,
      },
      gateway: {
        AUTH_URL: `http://127.0.0.1:${this.port('auth')}`,
        MESSAGING_URL: `http://127.0.0.1:${this.port(`messaging-${this.messagingFor(instance)}`)}`,
        PRESENCE_URL: `http://127.0.0.1:${this.port('presence')}`,
        FILES_URL: `http://127.0.0.1:${this.port('files')}`,
      },
    };
    return { ...this.commonEnv(), ...specific[service], ...this.options.env?.[service] };
  }

  /** The messaging instance gateway `instance` calls (see `gatewayMessaging`). */
  messagingFor(instance: number): number {
    return this.options.gatewayMessaging === 'spread' ? instance % (this.options.messaging ?? 1) : 0;
  }

  port(name: string): number {
    const port = this.ports.get(name);
    if (port === undefined) throw new Error(`no port for ${name}`);
    return port;
  }

  private async launch(): Promise<void> {
    const services = this.options.services ?? ['auth', 'messaging', 'presence', 'files', 'gateway'];
    const names = ['auth', 'presence', 'files'];
    for (let i = 0; i < (this.options.messaging ?? 1); i++) names.push(`messaging-${i}`);
    for (let i = 0; i < (this.options.gateways ?? 1); i++) names.push(`gateway-${i}`);
    for (const name of names) {
      this.ports.set(name, await freePort());
      this.ports.set(`${name}#metrics`, await freePort());
    }

    // auth first: every other service reads its JWKS. The rest start together.
    const order: ServiceName[][] = [['auth'], ['messaging', 'presence', 'files'], ['gateway']];
    const deadline = Date.now() + (this.options.startTimeoutMs ?? 105_000);
    for (const group of order) {
      const starting = group
        .filter((service) => services.includes(service))
        .flatMap((service) => this.instancesOf(service))
        .map((process) => process.start());
      this.processes.push(...starting);
      const left = Math.max(deadline - Date.now(), 1_000);
      await Promise.all(starting.map((process) => process.waitReady(left)));
    }
  }

  private instancesOf(service: ServiceName): ServiceProcess[] {
    const count = service === 'gateway' ? (this.options.gateways ?? 1) : service === 'messaging' ? (this.options.messaging ?? 1) : 1;
    return Array.from({ length: count }, (_, i) => {
      const name = count > 1 || service === 'gateway' || service === 'messaging' ? `${service}-${i}` : service;
      // Metrics are served on an internal port of their own (METRICS_PORT), never on the public one.
      return new ServiceProcess({ service, name: `${this.run}-${name}`, port: this.port(name), env: { METRICS_PORT: String(this.port(`${name}#metrics`)), ...this.envFor(service, i) } });
    });
  }

  find(name: string): ServiceProcess {
    const process = this.processes.find((p) => p.name === `${this.run}-${name}`);
    if (!process) throw new Error(`no process ${name}`);
    return process;
  }

  /** Where a process (`auth`, `presence`, `gateway-0`, `messaging-1`…) serves its /metrics. */
  metricsUrl(name: string): string {
    return `http://127.0.0.1:${this.port(`${name}#metrics`)}`;
  }

  gatewayUrl(index = 0): string {
    return `http://127.0.0.1:${this.port(`gateway-${index}`)}`;
  }

  async stop(): Promise<void> {
    await Promise.all(this.processes.map((process) => process.stop()));
  }

  /** RabbitMQ as the processes reach it (through a test's proxy when `engines.rabbitmq` is set). */
  private rabbitmqUrl(): string {
    const proxied = this.options.engines?.rabbitmq;
    if (proxied === undefined) return rabbitmqUrl(process.env);
    const url = new URL(rabbitmqUrl(process.env));
    url.host = proxied;
    return url.toString();
  }

  /** Drops everything the run created: databases, keyspace, bucket, topics and consumer groups (or streams and queues). */
  async dropData(): Promise<void> {
    await dropRunData({
      topicPrefix: `${this.run}.`,
      databases: this.databases,
      keyspaces: [`${this.run}_messaging`],
      buckets: [`${this.run}-files`],
    }, { ...LOCAL_ENGINES, ...(this.bus === 'rabbitmq' ? { rabbitmqUrl: rabbitmqUrl(process.env) } : {}) });
  }

}
