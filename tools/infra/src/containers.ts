// The engines as containers, for the integration tier (CHAT_TEST_ENGINES=containers): Kafka,
// Cassandra, S3Proxy, PostgreSQL and Redis started through testcontainers (GenericContainer) on
// the images `npm run images` builds from docker/engines/Dockerfile, with the same jars and
// settings as the processes of `npm run infra:up`. Every host port is a free one, so they run
// beside the shared engines without touching them; `stop()` removes what `startEngineContainers`
// started (Ryuk, testcontainers' reaper, is an image from a registry, so it is off where none is
// reachable: TESTCONTAINERS_RYUK_DISABLED=true).
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { GenericContainer, type StartedTestContainer, Wait } from 'testcontainers';
import { CASSANDRA_LOCAL_DC, LOCAL_HOST, S3_ACCESS_KEY_ID, S3_REGION, S3_SECRET_ACCESS_KEY } from './endpoints';

export const ENGINE_IMAGES = {
  kafka: 'chat-platform/kafka:local',
  cassandra: 'chat-platform/cassandra:local',
  s3proxy: 'chat-platform/s3proxy:local',
  postgres: 'chat-platform/postgres:local',
  redis: 'chat-platform/redis:local',
} as const;

export type TestEngineMode = 'containers' | 'processes';

/**
 * CHAT_TEST_ENGINES=containers|processes; unset: containers where a Docker daemon answers,
 * else the local processes of `npm run infra:up`.
 */
export function testEngineMode(env: NodeJS.ProcessEnv = process.env, dockerAnswers: () => boolean = dockerDaemonAnswers): TestEngineMode {
  const chosen = env['CHAT_TEST_ENGINES']?.trim();
  if (chosen === 'containers' || chosen === 'processes') return chosen;
  if (chosen !== undefined && chosen !== '') throw new Error(`CHAT_TEST_ENGINES must be containers or processes, not '${chosen}'`);
  return dockerAnswers() ? 'containers' : 'processes';
}

export function dockerDaemonAnswers(): boolean {
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** The variables the integration specs and their test apps read their engines from. */
export interface EngineEnv {
  KAFKA_BROKERS: string;
  CASSANDRA_CONTACT_POINTS: string;
  CASSANDRA_LOCAL_DC: string;
  S3_ENDPOINT: string;
  S3_REGION: string;
  S3_ACCESS_KEY_ID: string;
  S3_SECRET_ACCESS_KEY: string;
  POSTGRES_URL: string;
  POSTGRES_ADMIN_URL: string;
  REDIS_URL: string;
}

export interface EngineContainers {
  readonly env: EngineEnv;
  stop(): Promise<void>;
}

export async function startEngineContainers(label = 'chat-integration'): Promise<EngineContainers> {
  const labels = { 'chat.platform.purpose': label };
  // Kafka advertises the address clients use, so its host port is chosen before it starts.
  const kafkaPort = await freePort();
  const definitions = {
    kafka: new GenericContainer(ENGINE_IMAGES.kafka)
      .withExposedPorts({ container: 9092, host: kafkaPort })
      .withEnvironment({ KAFKA_EXTERNAL_ADDRESS: `${LOCAL_HOST}:${kafkaPort}`, KAFKA_HEAP_OPTS: '-Xms256m -Xmx512m' })
      .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
      .withStartupTimeout(120_000),
    cassandra: new GenericContainer(ENGINE_IMAGES.cassandra)
      .withExposedPorts(9042)
      .withEnvironment({ CASSANDRA_HEAP: '768m' })
      .withWaitStrategy(Wait.forAll([Wait.forLogMessage(/Startup complete/), Wait.forHealthCheck()]))
      .withStartupTimeout(240_000),
    s3proxy: new GenericContainer(ENGINE_IMAGES.s3proxy)
      .withExposedPorts(9000)
      .withEnvironment({ S3_IDENTITY: S3_ACCESS_KEY_ID, S3_CREDENTIAL: S3_SECRET_ACCESS_KEY })
      .withWaitStrategy(Wait.forHealthCheck())
      .withStartupTimeout(90_000),
    postgres: new GenericContainer(ENGINE_IMAGES.postgres).withExposedPorts(5432).withWaitStrategy(Wait.forHealthCheck()).withStartupTimeout(90_000),
    redis: new GenericContainer(ENGINE_IMAGES.redis).withExposedPorts(6379).withWaitStrategy(Wait.forHealthCheck()).withStartupTimeout(60_000),
  };
  const started: StartedTestContainer[] = [];
  const stop = async (): Promise<void> => {
    await Promise.allSettled(started.map((container) => container.stop({ timeout: 10_000, remove: true, removeVolumes: true })));
  };
  try {
    const [kafka, cassandra, s3, postgres, redis] = await Promise.all(
      Object.values(definitions).map(async (definition) => {
        const container = await definition.withLabels(labels).start();
        started.push(container);
        return container;
      }),
    );
    if (!kafka || !cassandra || !s3 || !postgres || !redis) throw new Error('an engine container did not start');
    const host = (container: StartedTestContainer, port: number): string => `${container.getHost()}:${container.getMappedPort(port)}`;
    const postgresAdmin = `postgres://postgres@${host(postgres, 5432)}`;
    return {
      env: {
        KAFKA_BROKERS: host(kafka, 9092),
        CASSANDRA_CONTACT_POINTS: host(cassandra, 9042),
        CASSANDRA_LOCAL_DC,
        S3_ENDPOINT: `http://${host(s3, 9000)}`,
        S3_REGION,
        S3_ACCESS_KEY_ID,
        S3_SECRET_ACCESS_KEY,
        POSTGRES_URL: `${postgresAdmin}/postgres`,
        POSTGRES_ADMIN_URL: postgresAdmin,
        REDIS_URL: `redis://${host(redis, 6379)}`,
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A TCP port free on 127.0.0.1 right now (relative imports only: Jest's globalSetup loads this file). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, LOCAL_HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
