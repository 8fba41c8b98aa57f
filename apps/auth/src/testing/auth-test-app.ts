// Integration-test harness: runs the auth service in this process exactly as main.ts does
// (bootstrapService: body limits, error filter, docs, listening on a real port), each run against
// its own PostgreSQL database, Redis key prefix and Kafka topic prefix, and removes them afterwards.
import { type INestApplication } from '@nestjs/common';
import Redis from 'ioredis';
import { Client } from 'pg';
import { bootstrapService, parseConfig, serviceIdentity } from '@chat/service-kit';
import { freePort, uniqueName } from '@chat/testing';
import { AppModule } from '../app.module';
import { type AuthConfig, AuthConfigSchema } from '../config';

const POSTGRES = process.env['POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const KAFKA = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';

/** Names of one test run's own database, Redis key space and Kafka topics. */
export interface TestNamespace {
  database: string;
  redisPrefix: string;
  topicPrefix: string;
}

export function testNamespace(): TestNamespace {
  const name = uniqueName('chat_auth_test_');
  return { database: name, redisPrefix: `${name}:`, topicPrefix: `${name.replace(/_/g, '-').replace(/^chat-/, '')}.` };
}

export function databaseUrl(database: string): string {
  const url = new URL(POSTGRES);
  url.pathname = `/${database}`;
  return url.toString();
}

export function testConfig(namespace: TestNamespace, port: number, overrides: Record<string, string> = {}): AuthConfig {
  return parseConfig(AuthConfigSchema, {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env['TEST_SERVICE_LOG_LEVEL'] ?? 'silent',
    PORT: String(port),
    POSTGRES_URL: databaseUrl(namespace.database),
    REDIS_URL: REDIS,
    KAFKA_BROKERS: KAFKA,
    AUTH_REDIS_KEY_PREFIX: namespace.redisPrefix,
    KAFKA_TOPIC_PREFIX: namespace.topicPrefix,
    ...overrides,
  });
}

export interface RunningAuth {
  app: INestApplication;
  url: string;
  config: AuthConfig;
}

export async function startAuth(namespace: TestNamespace, overrides: Record<string, string> = {}, name = 'auth-test'): Promise<RunningAuth> {
  const config = testConfig(namespace, await freePort(), overrides);
  const identity = serviceIdentity('auth', `${name}-${uniqueName('')}`);
  const app = await bootstrapService({ identity, config, module: AppModule.forRoot(identity, config) });
  return { app, url: `http://127.0.0.1:${config.PORT}`, config };
}

/** SQL against a test database (for assertions on what is stored). */
export async function queryDatabase<R>(database: string, sql: string, values: unknown[] = []): Promise<R[]> {
  const client = new Client({ connectionString: databaseUrl(database) });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows as R[];
  } finally {
    await client.end();
  }
}

export async function dropNamespace(namespace: TestNamespace): Promise<void> {
  const admin = new Client({ connectionString: POSTGRES });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${namespace.database}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
  const redis = new Redis(REDIS, { lazyConnect: true });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${namespace.redisPrefix}*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}
