// Drops everything a test run created on the shared local engines under its unique names, so
// runs never accumulate topics, keyspaces, databases or buckets. Test-only, so it talks to the
// engines' clients directly (production code reaches them only through libs/kafka and libs/cassandra).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DeleteBucketCommand, DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { connect as amqpConnect } from 'amqplib';
import { Client as CassandraClient } from 'cassandra-driver';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, type Admin, Kafka, logLevel, ResourcePatternTypes } from 'kafkajs';
import { Client as PgClient } from 'pg';

export interface RunData {
  /** KAFKA_TOPIC_PREFIX of the run, e.g. `e2eabc.` */
  topicPrefix?: string;
  databases?: string[];
  keyspaces?: string[];
  buckets?: string[];
}

/** Where the engines are (tools/infra's endpoints, passed in by the caller). */
export interface RunEngines {
  postgresUrl: string;
  /** `credentials`: a login that may drop the run's keyspaces (the local superuser); none for a node without logins. */
  cassandra: { contactPoints: readonly string[]; localDataCenter: string; credentials?: { username: string; password: string } };
  s3: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string };
  kafkaBrokers: readonly string[];
  /** Set when the run's services talked over RabbitMQ (BUS=rabbitmq): its streams and queues are dropped too. */
  rabbitmqUrl?: string;
}

export async function dropRunData(data: RunData, engines: RunEngines): Promise<void> {
  const postgresUrl = engines.postgresUrl;
  if (data.databases?.length) {
    const pg = new PgClient({ connectionString: postgresUrl });
    await pg.connect();
    try {
      for (const db of data.databases) await pg.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
    } finally {
      await pg.end();
    }
  }
  if (data.keyspaces?.length) {
    const { credentials } = engines.cassandra;
    const cassandra = new CassandraClient({
      contactPoints: [...engines.cassandra.contactPoints],
      localDataCenter: engines.cassandra.localDataCenter,
      ...(credentials ? { credentials: { username: credentials.username, password: credentials.password } } : {}),
    });
    try {
      for (const keyspace of data.keyspaces) await cassandra.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`, [], { readTimeout: 60_000 });
    } finally {
      await cassandra.shutdown();
    }
  }
  if (data.buckets?.length) {
    const s3 = new S3Client({
      endpoint: engines.s3.endpoint,
      region: engines.s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: engines.s3.accessKeyId, secretAccessKey: engines.s3.secretAccessKey },
    });
    try {
      for (const bucket of data.buckets) {
        const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket })).catch(() => undefined);
        const keys = (listed?.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
        if (keys.length) await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
        await s3.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
      }
    } finally {
      s3.destroy();
    }
  }
  if (data.topicPrefix) await dropPrefixedTopicsAndGroups(engines.kafkaBrokers, data.topicPrefix);
  if (data.topicPrefix && engines.rabbitmqUrl !== undefined) await dropPrefixedQueues(engines.rabbitmqUrl, data.topicPrefix);
}

/**
 * Streams (topics' partitions), leases and members queues of the run. AMQP cannot list queues and
 * the local broker runs without the management plugin, so the names come from `rabbitmqctl`
 * (the local broker only).
 */
async function dropPrefixedQueues(url: string, prefix: string): Promise<void> {
  if (!/^[a-z0-9][a-z0-9-]{0,30}\.$/.test(prefix)) throw new Error(`refusing to drop queues with prefix "${prefix}"`);
  const { stdout } = await promisify(execFile)('rabbitmqctl', ['list_queues', 'name', '-q', '--no-table-headers'], { timeout: 60_000 });
  const names = stdout.split('\n').map((line) => line.trim()).filter((name) => name.startsWith(prefix));
  if (names.length === 0) return;
  const connection = await amqpConnect(url);
  try {
    for (const name of names) {
      // A failed delete closes its channel: one channel per queue.
      const channel = await connection.createChannel();
      channel.on('error', () => undefined);
      await channel.deleteQueue(name).catch(() => undefined);
      await channel.close().catch(() => undefined);
    }
  } finally {
    await connection.close();
  }
}

async function dropPrefixedTopicsAndGroups(brokers: readonly string[], prefix: string): Promise<void> {
  if (!/^[a-z0-9][a-z0-9-]{0,30}\.$/.test(prefix)) throw new Error(`refusing to drop topics with prefix "${prefix}"`);
  const admin = new Kafka({ clientId: `drop-${prefix}`, brokers: [...brokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((id) => id.startsWith(prefix));
    if (groups.length) await admin.deleteGroups(groups).catch(() => undefined); // groups with live members refuse
    const topics = (await admin.listTopics()).filter((name) => name.startsWith(prefix));
    if (topics.length) await admin.deleteTopics({ topics, timeout: 30_000 });
    await dropPrefixedAcls(admin, prefix);
  } finally {
    await admin.disconnect();
  }
}

/**
 * The ACLs `npm start` gave the run's Kafka users (tools/run/src/local-kafka-users.ts) on its
 * topics and groups; a broker without an authorizer (containers, the cluster) has none.
 */
async function dropPrefixedAcls(admin: Admin, prefix: string): Promise<void> {
  const any = {
    resourceType: AclResourceTypes.ANY,
    resourcePatternType: ResourcePatternTypes.ANY,
    operation: AclOperationTypes.ANY,
    permissionType: AclPermissionTypes.ANY,
  };
  let resources: Awaited<ReturnType<Admin['describeAcls']>>['resources'];
  try {
    ({ resources } = await admin.describeAcls(any));
  } catch (error) {
    if (error instanceof Error && 'type' in error && error.type === 'SECURITY_DISABLED') return;
    throw error;
  }
  const filters = resources
    .filter((r) => r.resourceName.startsWith(prefix))
    .map((r) => ({ ...any, resourceType: r.resourceType, resourceName: r.resourceName, resourcePatternType: r.resourcePatternType }));
  if (filters.length) await admin.deleteAcls({ filters });
}
