// The processes `npm start` runs, in start order, with the variables that point them at the
// local engines of tools/infra and at each other, isolated under a run name when one is given.
import { KAFKA_SASL_BROKERS, KAFKA_SASL_MECHANISM, rabbitmqUrl, S3_ACCESS_KEY_ID, S3_ENDPOINT, S3_SECRET_ACCESS_KEY } from '@chat/infra';
import { type LocalCassandraRole, runMessagingKeyspace } from './local-cassandra-roles';
import { type LocalKafkaUser } from './local-kafka-users';
import { type LocalRedisUser, type RedisService } from './local-redis-users';
import { type LocalSecrets } from './local-secrets';

export interface ServiceSpec {
  /** Process name in logs (gateway-1, gateway-2, … when there are several). */
  name: string;
  service: 'auth' | 'messaging' | 'presence' | 'files' | 'gateway';
  entry: string;
  port: number;
  color: number;
  env: Record<string, string>;
}

export interface ServicePorts {
  auth: number;
  messaging: number;
  presence: number;
  files: number;
  gateways: number[];
}

export const DEFAULT_PORTS = (gateways: number): ServicePorts => ({
  auth: 3001,
  messaging: 3002,
  presence: 3003,
  files: 3004,
  gateways: Array.from({ length: gateways }, (_, i) => 8081 + i),
});

const POSTGRES = 'postgres://postgres@127.0.0.1:5432';

/** The bus every service talks over; RABBITMQ_USERNAME/PASSWORD, when set, reach the services from `npm start`'s environment. */
export interface LocalBus {
  bus: 'kafka' | 'rabbitmq';
  env: NodeJS.ProcessEnv;
}

/**
 * The engine users of a run (created by start.ts before the services start): each service with a
 * Redis user logs in to Redis as it; each with a Kafka user reaches Kafka at the SASL listener as it.
 */
export interface LocalUsers {
  redis: readonly LocalRedisUser[];
  /** None on RabbitMQ and on the cluster (its brokers have no SASL listener): no Kafka credentials. */
  kafka: readonly LocalKafkaUser[];
  /** Messaging's Cassandra role; none on the cluster (its nodes ask for no login) or on a node started before logins. */
  cassandra: readonly LocalCassandraRole[];
}

/**
 * `engines`: variables that point the services at other engines than the single local nodes
 * (`--cluster`: clusterServiceEnv of @chat/infra/cluster); KAFKA_* go to every service,
 * CASSANDRA_* to messaging.
 */
export function localServices(
  ports: ServicePorts,
  run: string | null,
  secrets: LocalSecrets,
  users: LocalUsers,
  bus: LocalBus = { bus: 'kafka', env: {} },
  engines: Record<string, string> = {},
): ServiceSpec[] {
  const pick = (prefix: string): Record<string, string> => Object.fromEntries(Object.entries(engines).filter(([name]) => name.startsWith(prefix)));
  const common: Record<string, string> = {
    JWKS_URL: `http://127.0.0.1:${ports.auth}/auth/.well-known/jwks.json`,
    ...pick('KAFKA_'),
    // The topic prefix isolates a run's streams and groups on RabbitMQ as its topics on Kafka.
    ...(run ? { KAFKA_TOPIC_PREFIX: `${run}.` } : {}),
    BUS: bus.bus,
    ...(bus.bus === 'rabbitmq' ? { RABBITMQ_URL: rabbitmqUrl(bus.env) } : {}),
  };
  const isolated = (values: Record<string, string>): Record<string, string> => (run ? values : {});
  const redisUser = (service: RedisService): Record<string, string> => {
    const user = users.redis.find((u) => u.service === service);
    return user ? { REDIS_USERNAME: user.username, REDIS_PASSWORD: user.password } : {};
  };
  const kafkaUser = (service: ServiceSpec['service']): Record<string, string> => {
    const user = users.kafka.find((u) => u.service === service);
    return user
      ? { KAFKA_BROKERS: KAFKA_SASL_BROKERS.join(','), KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME: user.username, KAFKA_SASL_PASSWORD: user.password }
      : {};
  };
  const cassandraRole = (service: ServiceSpec['service']): Record<string, string> => {
    const role = users.cassandra.find((r) => r.service === service);
    return role ? { CASSANDRA_USERNAME: role.username, CASSANDRA_PASSWORD: role.password } : {};
  };
  const gatewayColors = [32, 92, 96, 94];
  return [
    {
      name: 'auth',
      service: 'auth',
      entry: 'apps/auth/src/main.ts',
      port: ports.auth,
      color: 35,
      // Two proxy hops in front of auth: the front door and the gateway.
      env: { ...common, ...kafkaUser('auth'), TRUST_PROXY: '2', AUTH_KEY_ENCRYPTION_SECRET: secrets.AUTH_KEY_ENCRYPTION_SECRET, ...redisUser('auth'), ...isolated({ POSTGRES_URL: `${POSTGRES}/${run}_auth`, AUTH_REDIS_KEY_PREFIX: `${run}.auth:` }) },
    },
    {
      name: 'messaging',
      service: 'messaging',
      entry: 'apps/messaging/src/main.ts',
      port: ports.messaging,
      color: 36,
      env: { ...common, ...kafkaUser('messaging'), COMMAND_HOP_SECRET: secrets.COMMAND_HOP_SECRET, ...pick('CASSANDRA_'), ...cassandraRole('messaging'), ...isolated({ CASSANDRA_KEYSPACE: runMessagingKeyspace(run) }) },
    },
    { name: 'presence', service: 'presence', entry: 'apps/presence/src/main.ts', port: ports.presence, color: 33, env: { ...common, ...kafkaUser('presence'), ...redisUser('presence') } },
    {
      name: 'files',
      service: 'files',
      entry: 'apps/files/src/main.ts',
      port: ports.files,
      color: 34,
      env: { ...common, ...kafkaUser('files'), S3_ENDPOINT, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, ...isolated({ POSTGRES_URL: `${POSTGRES}/${run}_files`, S3_BUCKET: `${run}-files` }) },
    },
    ...ports.gateways.map(
      (port, i): ServiceSpec => ({
        name: ports.gateways.length > 1 ? `gateway-${i + 1}` : 'gateway',
        service: 'gateway',
        entry: 'apps/gateway/src/main.ts',
        port,
        color: gatewayColors[i % gatewayColors.length],
        env: {
          ...common,
          ...kafkaUser('gateway'),
          ...redisUser('gateway'),
          COMMAND_HOP_SECRET: secrets.COMMAND_HOP_SECRET,
          AUTH_URL: `http://127.0.0.1:${ports.auth}`,
          MESSAGING_URL: `http://127.0.0.1:${ports.messaging}`,
          PRESENCE_URL: `http://127.0.0.1:${ports.presence}`,
          FILES_URL: `http://127.0.0.1:${ports.files}`,
          // The front door appends the client address to X-Forwarded-For (per-address rate limits).
          TRUST_PROXY: '1',
        },
      }),
    ),
  ];
}
