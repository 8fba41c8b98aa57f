// Environment fragments for the engines; a service's schema spreads the ones it uses.
import { z } from 'zod';
import { BooleanSchema, HostPortListSchema, IdentifierSchema, UrlSchema } from './schemas';

/**
 * Which message bus the services talk over (docs/design/bus.md): Kafka (default, KAFKA_* below) or
 * RabbitMQ / Amazon MQ for RabbitMQ (RABBITMQ_*). The topic prefix applies to either.
 */
function BusSelectionEnv() {
  return {
    BUS: z.enum(['kafka', 'rabbitmq']).default('kafka'),
    /** `amqp://host:5672`, or `amqps://b-….mq.<region>.amazonaws.com:5671` for Amazon MQ. */
    RABBITMQ_URL: UrlSchema(['amqp', 'amqps']).default('amqp://127.0.0.1:5672'),
    /** This service's RabbitMQ user; kept out of RABBITMQ_URL so the URL can be logged. Unset: the URL's, or guest/guest. */
    RABBITMQ_USERNAME: z.string().min(1).optional(),
    RABBITMQ_PASSWORD: z.string().min(1).optional(),
  };
}

export const KafkaEnv = {
  KAFKA_BROKERS: HostPortListSchema.default(['127.0.0.1:9092']),
  /** Replication of the topics a service creates: 1 on one machine, 3 in production. */
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(5).default(1),
  /**
   * Prepended to every topic and consumer group name. Empty in production; tests and parallel
   * local systems set it so they never see each other's records.
   */
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,30}\.$/, 'must be lower-case letters, digits or "-", ending with "."')
    .optional(),
  /**
   * SASL credentials of this service's own Kafka user (Strimzi KafkaUser, with ACLs for its topics
   * and groups). Unset: no authentication (the local engines). A username needs a password.
   */
  KAFKA_SASL_MECHANISM: z.enum(['scram-sha-512', 'scram-sha-256', 'plain']).default('scram-sha-512'),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  /** TLS to the brokers (a listener with `tls: true`). */
  KAFKA_SSL: BooleanSchema.default(false),
  ...BusSelectionEnv(),
};

export const CassandraEnv = {
  CASSANDRA_CONTACT_POINTS: HostPortListSchema.default(['127.0.0.1:9042']),
  CASSANDRA_LOCAL_DC: z.string().min(1).default('datacenter1'),
  /** `SimpleStrategy:1` locally; `NetworkTopologyStrategy:dc1=3,dc2=3` in production. */
  CASSANDRA_REPLICATION: z
    .string()
    .regex(/^(SimpleStrategy:\d+|NetworkTopologyStrategy:[A-Za-z0-9_-]+=\d+(,[A-Za-z0-9_-]+=\d+)*)$/, 'must be SimpleStrategy:N or NetworkTopologyStrategy:dc=N,...')
    .default('SimpleStrategy:1'),
  /**
   * Consistency of every read and write: LOCAL_QUORUM (2 of 3 replicas in the local datacenter,
   * the same as QUORUM with one datacenter; 1 of 1 on the single local node). Lightweight
   * transactions use LOCAL_SERIAL whatever this says.
   */
  CASSANDRA_CONSISTENCY: z.enum(['one', 'localOne', 'quorum', 'localQuorum', 'eachQuorum', 'all']).default('localQuorum'),
  /** This service's own Cassandra role (PasswordAuthenticator), granted its keyspace only. Unset: no authentication. */
  CASSANDRA_USERNAME: z.string().min(1).optional(),
  CASSANDRA_PASSWORD: z.string().min(1).optional(),
};

/** The login a Cassandra client is given (the driver's `credentials`): both variables, or none (config validation refuses one alone). */
export function cassandraCredentials(config: { CASSANDRA_USERNAME?: string | undefined; CASSANDRA_PASSWORD?: string | undefined }): { credentials?: { username: string; password: string } } {
  const { CASSANDRA_USERNAME: username, CASSANDRA_PASSWORD: password } = config;
  return username !== undefined && password !== undefined ? { credentials: { username, password } } : {};
}

export function cassandraKeyspaceEnv(defaultKeyspace: string) {
  return { CASSANDRA_KEYSPACE: IdentifierSchema.default(defaultKeyspace) };
}

/** Cassandra replication settings from CASSANDRA_REPLICATION. */
export function parseReplication(value: string): Record<string, string | number> {
  const [strategy, spec] = value.split(':') as [string, string];
  if (strategy === 'SimpleStrategy') return { class: 'SimpleStrategy', replication_factor: Number(spec) };
  const dcs = Object.fromEntries(spec.split(',').map((pair) => {
    const [dc, n] = pair.split('=') as [string, string];
    return [dc, Number(n)];
  }));
  return { class: 'NetworkTopologyStrategy', ...dcs };
}

export function postgresEnv(defaultDatabase: string) {
  return { POSTGRES_URL: UrlSchema(['postgres', 'postgresql']).default(`postgres://postgres@127.0.0.1:5432/${defaultDatabase}`) };
}

export const RedisEnv = {
  REDIS_URL: UrlSchema(['redis', 'rediss']).default('redis://127.0.0.1:6379'),
  /**
   * This service's own Redis ACL user, allowed its key prefix (and channels) only. Kept out of
   * REDIS_URL so the URL can live in a ConfigMap and be logged. Unset: the URL's user, or `default`.
   */
  REDIS_USERNAME: z.string().min(1).optional(),
  REDIS_PASSWORD: z.string().min(1).optional(),
};

/** The credentials a Redis client is given (ioredis `username` / `password` options). */
export function redisCredentials(config: { REDIS_USERNAME?: string | undefined; REDIS_PASSWORD?: string | undefined }): { username?: string; password?: string } {
  return {
    ...(config.REDIS_USERNAME !== undefined ? { username: config.REDIS_USERNAME } : {}),
    ...(config.REDIS_PASSWORD !== undefined ? { password: config.REDIS_PASSWORD } : {}),
  };
}

export const S3Env = {
  S3_ENDPOINT: UrlSchema(['http', 'https']).optional().describe('unset for AWS S3'),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{2,62}$/, 'must be a valid S3 bucket name').default('chat-files'),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: BooleanSchema.default(true),
};

/** Where the gateway finds the other services, and every service finds the token keys. */
export const ServiceUrlsEnv = {
  AUTH_URL: UrlSchema(['http', 'https']).default('http://127.0.0.1:3001'),
};

export function jwksEnv() {
  return { JWKS_URL: UrlSchema(['http', 'https']).default('http://127.0.0.1:3001/auth/.well-known/jwks.json') };
}
