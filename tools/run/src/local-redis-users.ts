// Locally, too, each service talks to Redis as its own ACL user, allowed only its key prefix (and
// the gateway its typing channel), as in Kubernetes (k8s/base/engines/redis.yaml). `npm start`
// creates or resets these users on the local Redis at every start (ACL SETUSER is idempotent;
// the users live until Redis restarts); the passwords are generated once into .local/. The
// `default` user is left as it is: the test tiers and tools use it. Kafka users: local-kafka-users.ts;
// messaging's Cassandra role: local-cassandra-roles.ts.
import Redis from 'ioredis';
import { localSecretFile } from './local-secrets';

export type RedisService = 'gateway' | 'auth' | 'presence';

export interface LocalRedisUser {
  service: RedisService;
  username: string;
  password: string;
  /** ACL key patterns (`~…`) and channel patterns (`&…`). */
  keys: string[];
  channels: string[];
}

/** The users of one `npm start` (run names isolate them like the data: chat-<run>-<service>). */
export function localRedisUsers(run: string | null, dir?: string): LocalRedisUser[] {
  const owner = `chat-${run ?? 'local'}`;
  const prefix = run ? `${run}.` : '';
  const user = (service: RedisService, keys: string[], channels: string[] = []): LocalRedisUser => ({
    service,
    username: `${owner}-${service}`,
    password: localSecretFile(`redis-${service}-password`, dir),
    keys,
    channels,
  });
  return [
    // Keys under RedisModule's prefix `gateway:`; typing on the run's channel (apps/gateway/src/presence).
    user('gateway', ['gateway:*'], [`gateway:typing:${prefix}`]),
    // AUTH_REDIS_KEY_PREFIX (services.ts isolates it per run).
    user('auth', [run ? `${run}.auth:*` : 'auth:*']),
    user('presence', ['presence:*']),
  ];
}

/** The ACL SETUSER arguments of a user: reset, then only its keys and channels, no dangerous commands. */
export function aclRules(user: LocalRedisUser): string[] {
  // INFO (a dangerous command) only for ioredis's ready check at connect.
  return ['reset', 'on', `>${user.password}`, ...user.keys.map((k) => `~${k}`), ...user.channels.map((c) => `&${c}`), '+@all', '-@dangerous', '+info'];
}

export async function ensureRedisUsers(url: string, users: readonly LocalRedisUser[]): Promise<void> {
  const admin = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await admin.connect();
    for (const user of users) await admin.call('ACL', 'SETUSER', user.username, ...aclRules(user));
  } finally {
    admin.disconnect();
  }
}
