/**
 * Endpoints of the local engines started by `npm run infra:up` (tools/infra).
 * Tests and local configs import these instead of repeating literals.
 */

export const LOCAL_HOST = '127.0.0.1';

// Kafka 4.x, single node, KRaft combined mode.
export const KAFKA_PORT = 9092;
export const KAFKA_CONTROLLER_PORT = 9093;
export const KAFKA_BROKERS: readonly string[] = [`${LOCAL_HOST}:${KAFKA_PORT}`];
/**
 * A second listener for failure tests: the broker listens on KAFKA_FAULT_PORT but advertises
 * KAFKA_FAULT_PROXY_PORT, where a test runs a TCP proxy. A client bootstrapped at the proxy port
 * then reaches the broker only through the proxy, so the test can cut Kafka off for one service.
 */
export const KAFKA_FAULT_PORT = 9094;
export const KAFKA_FAULT_PROXY_PORT = 9095;
/**
 * The listener `npm start`'s services use: SASL_PLAINTEXT with SCRAM-SHA-512, each service logged
 * in as its own user and allowed only its ACLs (tools/run/src/local-kafka-users.ts). The PLAINTEXT
 * listener above stays open to anyone (its anonymous principal is a super user): tests and tools.
 */
export const KAFKA_SASL_PORT = 9096;
export const KAFKA_SASL_BROKERS: readonly string[] = [`${LOCAL_HOST}:${KAFKA_SASL_PORT}`];
/** The SCRAM mechanism of the SASL listener, in kafkajs's (and KAFKA_SASL_MECHANISM's) spelling. */
export const KAFKA_SASL_MECHANISM = 'scram-sha-512';
/** Topic used by the readiness probe (1 partition); services should ignore it. */
export const KAFKA_PROBE_TOPIC = 'infra.probe';

// Cassandra 5.0, single node.
export const CASSANDRA_PORT = 9042;
export const CASSANDRA_STORAGE_PORT = 7000;
/** Local-only JMX (nodetool); bound to 127.0.0.1. */
export const CASSANDRA_JMX_PORT = 7199;
export const CASSANDRA_CONTACT_POINTS: readonly string[] = [`${LOCAL_HOST}:${CASSANDRA_PORT}`];
/** SimpleSnitch puts the node in datacenter1 / rack1. */
export const CASSANDRA_LOCAL_DC = 'datacenter1';
/**
 * The single node runs PasswordAuthenticator and CassandraAuthorizer: `infra:up` gives its
 * superuser this password in place of Cassandra's default (not a secret, like S3's keys below: it
 * opens the local engine to tests and tools). `npm start`'s messaging logs in as a role of its own,
 * granted its keyspace only (tools/run/src/local-cassandra-roles.ts). The cluster's nodes ask for no login.
 * The same value as LOCAL_CASSANDRA_SUPERUSER of @chat/testing/local-cassandra (the libraries' test
 * set-ups, which may not import tools; endpoints.spec.ts checks they agree): no path alias here, the
 * integration tier's Jest globalSetup loads this file without them.
 */
export interface CassandraLogin {
  readonly username: string;
  readonly password: string;
}
export const CASSANDRA_SUPERUSER: CassandraLogin = { username: 'cassandra', password: 'local-cassandra-superuser' };

// S3Proxy (S3 API on the local file system), path-style only.
export const S3_PORT = 9000;
export const S3_ENDPOINT = `http://${LOCAL_HOST}:${S3_PORT}`;
export const S3_REGION = 'us-east-1';
export const S3_FORCE_PATH_STYLE = true;
/** Fixed local credentials (not a secret: they only open the local S3Proxy). */
export const S3_ACCESS_KEY_ID = 'local';
export const S3_SECRET_ACCESS_KEY = 'localsecret';

// System services (not managed by tools/infra, only checked).
export const DEFAULT_POSTGRES_URL = `postgres://postgres@${LOCAL_HOST}:5432/postgres`;
export const DEFAULT_REDIS_URL = `redis://${LOCAL_HOST}:6379`;
/** RabbitMQ 3.9+ (the project's machines run 3.10), only for BUS=rabbitmq; guest/guest when the URL names no user. */
export const DEFAULT_RABBITMQ_URL = `amqp://${LOCAL_HOST}:5672`;

export function postgresUrl(env: NodeJS.ProcessEnv = process.env): string {
  return nonEmpty(env['POSTGRES_URL']) ?? DEFAULT_POSTGRES_URL;
}

export function redisUrl(env: NodeJS.ProcessEnv = process.env): string {
  return nonEmpty(env['REDIS_URL']) ?? DEFAULT_REDIS_URL;
}

export function rabbitmqUrl(env: NodeJS.ProcessEnv = process.env): string {
  return nonEmpty(env['RABBITMQ_URL']) ?? DEFAULT_RABBITMQ_URL;
}

/** CASSANDRA_USERNAME and CASSANDRA_PASSWORD when both are set, else the local superuser. */
function cassandraLogin(env: NodeJS.ProcessEnv): CassandraLogin {
  const username = nonEmpty(env['CASSANDRA_USERNAME']);
  const password = env['CASSANDRA_PASSWORD'];
  return username !== undefined && password !== undefined && password !== '' ? { username, password } : CASSANDRA_SUPERUSER;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
}

/** The local engines, in the shape test clean-up (`dropRunData` of @chat/testing) takes. */
export const LOCAL_ENGINES = {
  postgresUrl: DEFAULT_POSTGRES_URL,
  cassandra: { contactPoints: CASSANDRA_CONTACT_POINTS, localDataCenter: CASSANDRA_LOCAL_DC, credentials: CASSANDRA_SUPERUSER },
  s3: { endpoint: S3_ENDPOINT, region: S3_REGION, accessKeyId: S3_ACCESS_KEY_ID, secretAccessKey: S3_SECRET_ACCESS_KEY },
  kafkaBrokers: KAFKA_BROKERS,
};

/**
 * The engines a test talks to: the local ones above, or those named by KAFKA_BROKERS,
 * CASSANDRA_CONTACT_POINTS (logged in as CASSANDRA_USERNAME/PASSWORD, else the superuser), S3_ENDPOINT,
 * POSTGRES_URL and REDIS_URL (the integration tier's containers set them: tools/infra/src/jest-engines.ts).
 */
export function testEngines(env: NodeJS.ProcessEnv = process.env): typeof LOCAL_ENGINES & { redisUrl: string } {
  const list = (value: string | undefined, fallback: readonly string[]): readonly string[] =>
    nonEmpty(value)?.split(',').map((entry) => entry.trim()) ?? fallback;
  return {
    postgresUrl: postgresUrl(env),
    redisUrl: redisUrl(env),
    cassandra: { contactPoints: list(env['CASSANDRA_CONTACT_POINTS'], CASSANDRA_CONTACT_POINTS), localDataCenter: CASSANDRA_LOCAL_DC, credentials: cassandraLogin(env) },
    s3: { ...LOCAL_ENGINES.s3, endpoint: nonEmpty(env['S3_ENDPOINT']) ?? S3_ENDPOINT },
    kafkaBrokers: list(env['KAFKA_BROKERS'], KAFKA_BROKERS),
  };
}
