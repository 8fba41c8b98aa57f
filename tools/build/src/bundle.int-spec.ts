// The production bundle, end to end: `npm run build` from this checkout, then every app started
// from dist/ with plain `node dist/apps/<app>/main.js` (no TypeScript loader) against the local
// engines (`npm run infra:up`), each isolated like the e2e suite does it: its own port, Kafka topic
// prefix, PostgreSQL databases, Cassandra keyspace, S3 bucket and Redis key prefix. Each must get
// ready (migrations found beside app.module.js, topics created, JWKS served), then exit 0 on SIGTERM.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CASSANDRA_LOCAL_DC, S3_ACCESS_KEY_ID, S3_REGION, S3_SECRET_ACCESS_KEY, testEngines } from '@chat/infra';
import { dropRunData, freePort, ServiceProcess, uniqueName } from '@chat/testing';
import { APPS, type AppName } from './bundle';

jest.setTimeout(300_000);

const ROOT = join(__dirname, '..', '..', '..');
const run = uniqueName('bundle');
const keyspace = `${run}_messaging`;
const databases = { auth: `${run}_auth`, files: `${run}_files` };
const bucket = `${run}-files`;
// The local engines, or the integration tier's containers (CHAT_TEST_ENGINES).
const engines = testEngines();
const postgresUrl = (): string => engines.postgresUrl;
const redisUrl = (): string => engines.redisUrl;

/** `postgres://user@host:port/db` → the same server, another database. */
function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

describe('production bundle (dist/)', () => {
  const ports = new Map<AppName, number>();
  const started: ServiceProcess[] = [];

  function envFor(app: AppName): Record<string, string> {
    const url = (name: AppName) => `http://127.0.0.1:${ports.get(name)}`;
    const common = {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(ports.get(app)),
      INSTANCE_ID: `${run}-${app}`,
      LOG_LEVEL: process.env['TEST_SERVICE_LOG_LEVEL'] ?? 'warn',
      SHUTDOWN_GRACE_MS: '15000',
      KAFKA_BROKERS: engines.kafkaBrokers.join(','),
      KAFKA_TOPIC_PREFIX: `${run}.`,
      JWKS_URL: `${url('auth')}/auth/.well-known/jwks.json`,
    };
    const specific: Record<AppName, Record<string, string>> = {
      auth: { POSTGRES_URL: withDatabase(postgresUrl(), databases.auth), REDIS_URL: redisUrl(), AUTH_REDIS_KEY_PREFIX: `${run}.auth:` },
      messaging: {
        CASSANDRA_CONTACT_POINTS: engines.cassandra.contactPoints.join(','),
        CASSANDRA_LOCAL_DC,
        CASSANDRA_KEYSPACE: keyspace,
        CASSANDRA_USERNAME: engines.cassandra.credentials.username,
        CASSANDRA_PASSWORD: engines.cassandra.credentials.password,
      },
      presence: { REDIS_URL: redisUrl() },
      files: {
        POSTGRES_URL: withDatabase(postgresUrl(), databases.files),
        S3_ENDPOINT: engines.s3.endpoint,
        S3_REGION,
        S3_ACCESS_KEY_ID,
        S3_SECRET_ACCESS_KEY,
        S3_BUCKET: bucket,
      },
      gateway: {
        REDIS_URL: redisUrl(),
        AUTH_URL: url('auth'),
        MESSAGING_URL: url('messaging'),
        PRESENCE_URL: url('presence'),
        FILES_URL: url('files'),
      },
    };
    return { ...common, ...specific[app] };
  }

  function start(app: AppName): ServiceProcess {
    const service = new ServiceProcess({ service: app, port: ports.get(app) ?? 0, name: `${run}-${app}`, env: envFor(app), from: 'bundle' });
    started.push(service.start());
    return service;
  }

  beforeAll(async () => {
    for (const app of APPS) ports.set(app, await freePort());
  });

  afterAll(async () => {
    await Promise.all(started.map((service) => service.kill()));
    await dropRunData(
      { topicPrefix: `${run}.`, databases: Object.values(databases), keyspaces: [keyspace], buckets: [bucket] },
      engines,
    );
  });

  it('builds with `npm run build`: one entry per app and the migrations beside each app.module.js', async () => {
    const t0 = performance.now();
    const { stdout } = await promisify(execFile)('npm', ['run', '-s', 'build'], { cwd: ROOT });
    process.stdout.write(`bundle build: ${((performance.now() - t0) / 1000).toFixed(1)} s\n${stdout}`);
    for (const app of APPS) {
      expect(existsSync(join(ROOT, 'dist', 'apps', app, 'main.js'))).toBe(true);
      expect(existsSync(join(ROOT, 'dist', 'apps', app, 'app.module.js'))).toBe(true);
    }
    expect(existsSync(join(ROOT, 'dist', 'apps', 'auth', 'migrations', '0001-create-users.sql'))).toBe(true);
    expect(existsSync(join(ROOT, 'dist', 'apps', 'files', 'migrations', '0001-create-files.sql'))).toBe(true);
    expect(existsSync(join(ROOT, 'dist', 'apps', 'messaging', 'migrations', '0001-users.cql'))).toBe(true);
    // Nothing of the test tooling is bundled.
    expect(existsSync(join(ROOT, 'dist', 'libs', 'testing'))).toBe(false);
  });

  it('starts every app from dist/ until /health/ready answers 200, and each exits 0 on SIGTERM', async () => {
    // auth first (the others read its JWKS), then the rest, the gateway last (it proxies to them).
    await start('auth').waitReady(120_000);
    await Promise.all((['messaging', 'presence', 'files'] as const).map((app) => start(app).waitReady(120_000)));
    await start('gateway').waitReady(120_000);
    const jwks = await fetch(`http://127.0.0.1:${ports.get('gateway')}/auth/.well-known/jwks.json`);
    expect(jwks.status).toBe(200);

    const codes = await Promise.all([...started].reverse().map(async (service) => [service.name, await service.stop()] as const));
    expect(Object.fromEntries(codes)).toEqual(Object.fromEntries(started.map((service) => [service.name, 0])));
  });
});
