import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { connect as amqpConnect } from 'amqplib';
import { Client as CassandraClient } from 'cassandra-driver';
import Redis from 'ioredis';
// kafkajs 2.2.4 spins a 1 ms timer on every connection without it (the bus library's fix).
import '@chat/kafka/kafkajs-fix';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { Client as PgClient } from 'pg';
import { type CassandraLogin } from './endpoints';
import { withTimeout } from './wait';

/** Each probe resolves to a short human description of what answered, or throws. */
export type Probe = () => Promise<string>;

export interface KafkaProbeOptions {
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly timeoutMs?: number;
  /** Of the probe topic when the probe creates it (3 on a cluster). Default 1. */
  readonly replicationFactor?: number;
}

function kafkaClient(brokers: readonly string[]): Kafka {
  return new Kafka({
    clientId: 'infra-probe',
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    requestTimeout: 5000,
    retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
  });
}

/**
 * Full round trip: create the probe topic if missing (1 partition), produce a unique message
 * with acks=all and consume it back in a fresh consumer group (deleted afterwards).
 */
export async function probeKafka(options: KafkaProbeOptions): Promise<string> {
  const kafka = kafkaClient(options.brokers);
  const admin = kafka.admin();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  const groupId = `infra-probe-${process.pid}-${Date.now()}`;
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1000, maxWaitTimeInMs: 250, allowAutoTopicCreation: false });
  let joined = false;
  const work = async (): Promise<string> => {
    await admin.connect();
    const topics = await admin.listTopics();
    if (!topics.includes(options.topic)) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: options.topic,
            numPartitions: 1,
            replicationFactor: options.replicationFactor ?? 1,
            // Keep the probe topic tiny: probe messages expire after a day (hourly segments).
            configEntries: [
              { name: 'retention.ms', value: String(24 * 3600 * 1000) },
              { name: 'segment.ms', value: String(3600 * 1000) },
            ],
          },
        ],
      });
    }
    await producer.connect();
    const token = `probe-${randomUUID()}`;
    const [sent] = await producer.send({ topic: options.topic, acks: -1, messages: [{ key: 'infra', value: token }] });
    if (sent === undefined) throw new Error('produce returned no metadata');

    await consumer.connect();
    joined = true;
    // From the beginning of the (small, 1-day retention) topic, looking for our token. No seek():
    // right after a fresh start the group coordinator may restart the consumer, and seek() then fails.
    await consumer.subscribe({ topics: [options.topic], fromBeginning: true });
    let received!: () => void;
    const gotIt = new Promise<void>((resolve) => {
      received = resolve;
    });
    await consumer.run({
      autoCommit: false,
      eachMessage: ({ message }) => {
        if (message.value?.toString('utf8') === token) received();
        return Promise.resolve();
      },
    });
    await gotIt;
    return `produced and consumed ${options.topic}@${sent.partition}:${sent.baseOffset ?? '?'}`;
  };
  try {
    return await withTimeout('kafka round trip', options.timeoutMs ?? 20_000, work());
  } finally {
    await Promise.allSettled([consumer.disconnect(), producer.disconnect()]);
    if (joined) await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}

/** Light check for `status`: cluster metadata answers. */
export async function probeKafkaMetadata(brokers: readonly string[], timeoutMs = 5000): Promise<string> {
  const admin = kafkaClient(brokers).admin();
  try {
    const cluster = await withTimeout(
      'kafka metadata',
      timeoutMs,
      admin.connect().then(() => admin.describeCluster()),
    );
    return `cluster ${cluster.clusterId}, ${cluster.brokers.length} broker(s)`;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export interface CassandraProbeOptions {
  readonly contactPoints: readonly string[];
  readonly localDataCenter: string;
  /** The local nodes ask for a login (the superuser's: endpoints.ts); a node without authentication ignores it. */
  readonly credentials?: CassandraLogin;
  readonly timeoutMs?: number;
}

/** `SELECT release_version FROM system.local` over CQL. */
export async function probeCassandra(options: CassandraProbeOptions): Promise<string> {
  const client = new CassandraClient({
    contactPoints: [...options.contactPoints],
    localDataCenter: options.localDataCenter,
    ...(options.credentials ? { credentials: { username: options.credentials.username, password: options.credentials.password } } : {}),
    socketOptions: { connectTimeout: 2000, readTimeout: 5000 },
  });
  try {
    const work = (async (): Promise<string> => {
      await client.connect();
      const result = await client.execute('SELECT release_version FROM system.local');
      const version: unknown = result.first()?.get('release_version');
      if (typeof version !== 'string') throw new Error('system.local returned no release_version');
      return `Cassandra ${version}`;
    })();
    return await withTimeout('cql query', options.timeoutMs ?? 10_000, work);
  } finally {
    await client.shutdown().catch(() => undefined);
  }
}

export interface S3ProbeOptions {
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly timeoutMs?: number;
}

/** Authenticated ListBuckets (path style). */
export async function probeS3(options: S3ProbeOptions): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const s3 = new S3Client({
    endpoint: options.endpoint,
    region: options.region,
    forcePathStyle: true,
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 2000, requestTimeout: timeoutMs },
  });
  try {
    const out = await s3.send(new ListBucketsCommand({}), { abortSignal: AbortSignal.timeout(timeoutMs) });
    const count = out.Buckets?.length ?? 0;
    return `ListBuckets ok (${count} bucket${count === 1 ? '' : 's'})`;
  } finally {
    s3.destroy();
  }
}

/** `SELECT 1` plus the server version. */
export async function probePostgres(url: string, timeoutMs = 5000): Promise<string> {
  const client = new PgClient({ connectionString: url, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const result = await client.query<{ one: number; version: string }>("SELECT 1 AS one, current_setting('server_version') AS version");
    const row = result.rows[0];
    if (row?.one !== 1) throw new Error('SELECT 1 did not return 1');
    return `PostgreSQL ${row.version}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** PING plus the server version. */
export async function probeRedis(url: string, timeoutMs = 5000): Promise<string> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const pong = await redis.ping();
    if (pong !== 'PONG') throw new Error('PING did not answer PONG');
    const info = await redis.info('server');
    const version = /redis_version:(\S+)/.exec(info)?.[1] ?? '?';
    return `Redis ${version} (PONG)`;
  } finally {
    redis.disconnect();
  }
}

export interface RabbitMqProbeOptions {
  readonly url: string;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly timeoutMs?: number;
}

/** What the RabbitMQ transport needs of the broker and the broker refused (feature flags off, or too old). */
export class RabbitMqFeatureError extends Error {}

/** The probe's own queues: a stream and a quorum queue, kept (tiny, 1-day retention) so the probe is idempotent. */
export const RABBITMQ_PROBE_STREAM = 'infra.probe.stream';
export const RABBITMQ_PROBE_QUORUM = 'infra.probe.quorum';
export const RABBITMQ_PROBE_CLASSIC = 'infra.probe.members';

/**
 * What libs/kafka's RabbitMQ transport uses of the broker, declared the way it declares it: a
 * stream (`x-queue-type: stream`, the partitions), a quorum queue with a single active consumer
 * (the leases) and a classic queue with `x-expires` (a group's member count), then a confirmed,
 * mandatory publish to the stream. (A 3.10 node that ran out of file descriptors was seen to keep
 * serving streams while refusing every new classic queue: the classic one is checked too.) Core queue types since 3.9 (no
 * plugin), but behind the `stream_queue` and `quorum_queue` feature flags.
 */
export async function probeRabbitMq(options: RabbitMqProbeOptions): Promise<string> {
  const url = new URL(options.url);
  if (options.username !== undefined) url.username = encodeURIComponent(options.username);
  if (options.password !== undefined) url.password = encodeURIComponent(options.password);
  const work = async (): Promise<string> => {
    const model = await amqpConnect(url.toString(), { clientProperties: { connection_name: 'infra-probe' }, timeout: 3000 });
    model.on('error', () => undefined);
    try {
      const version = String(model.connection.serverProperties['version'] ?? '?');
      const [major = 0, minor = 0] = version.split('.').map(Number);
      if (major < 3 || (major === 3 && minor < 9)) throw new RabbitMqFeatureError(`RabbitMQ ${version} is too old: streams need 3.9 or later`);
      const channel = await model.createConfirmChannel();
      channel.on('error', () => undefined);
      try {
        await channel.assertQueue(RABBITMQ_PROBE_STREAM, { durable: true, arguments: { 'x-queue-type': 'stream', 'x-max-age': '1D' } });
        await channel.assertQueue(RABBITMQ_PROBE_QUORUM, { durable: true, arguments: { 'x-queue-type': 'quorum', 'x-single-active-consumer': true } });
      } catch (error) {
        throw new RabbitMqFeatureError(`RabbitMQ ${version} refused a stream or quorum queue (${errorText(error)})`);
      }
      const classic = await model.createChannel();
      classic.on('error', () => undefined);
      await classic.assertQueue(RABBITMQ_PROBE_CLASSIC, { durable: true, arguments: { 'x-expires': 86_400_000 } }).catch((error: unknown) => {
        throw new Error(`RabbitMQ ${version} refused a classic queue (${errorText(error)}); its log says why (e.g. emfile: the node ran out of file descriptors and needs a restart)`);
      });
      await classic.close().catch(() => undefined);
      channel.publish('', RABBITMQ_PROBE_STREAM, Buffer.from(`probe-${randomUUID()}`), { mandatory: true, persistent: true });
      await channel.waitForConfirms();
      await channel.close().catch(() => undefined);
      return `RabbitMQ ${version}: stream and quorum queues, publish confirmed`;
    } finally {
      await model.close().catch(() => undefined);
    }
  };
  return withTimeout('rabbitmq round trip', options.timeoutMs ?? 10_000, work());
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
