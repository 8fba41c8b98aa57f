import { z } from 'zod';
import { BaseConfigSchema, BooleanSchema, jwksEnv, KafkaEnv, PortSchema, RedisEnv } from '@chat/service-kit';

const millis = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const PresenceConfigSchema = BaseConfigSchema.extend({
  PORT: PortSchema.default(3003),
  ...KafkaEnv,
  ...RedisEnv,
  ...jwksEnv(),
  /** Prefix of every Redis key presence writes (tests give each run its own). */
  PRESENCE_REDIS_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]+:$/, 'must be letters, digits, "_", "." or "-" ending with ":"').default('presence:'),
  /** Consumer group of the signal and membership consumers. */
  PRESENCE_CONSUMER_GROUP: z.string().regex(/^[a-z][a-z0-9_.-]{0,63}$/).default('presence'),
  /**
   * How long a user with no connected device still counts as online/away before `offline` is
   * published: a page reload or a reconnect to another gateway inside it changes nothing for others.
   */
  PRESENCE_OFFLINE_GRACE_MS: millis(0, 120_000).default(5_000),
  /** How often expired gateway leases and ended grace periods are looked for. */
  PRESENCE_SWEEP_INTERVAL_MS: millis(100, 60_000).default(1_000),
  /** Lease of a gateway seen in a session signal before its first heartbeat was processed. */
  PRESENCE_DEFAULT_LEASE_MS: millis(1_000, 600_000).default(15_000),
  /** Read chat.channel.membership.v1 from its start when the group has no offsets (the projection). */
  PRESENCE_CONSUME_FROM_BEGINNING: BooleanSchema.default(true),
});
export type PresenceConfig = z.infer<typeof PresenceConfigSchema>;
