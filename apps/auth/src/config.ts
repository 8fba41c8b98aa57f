import { z } from 'zod';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from '@chat/auth-client';
import { BaseConfigSchema, KafkaEnv, PortSchema, postgresEnv, RedisEnv, TrustProxySchema } from '@chat/service-kit';

const positiveInt = (max: number) => z.coerce.number().int().min(1).max(max);
const positive = (max: number) => z.coerce.number().positive().max(max);

export const AuthConfigSchema = BaseConfigSchema.extend({
  PORT: PortSchema.default(3001),
  ...KafkaEnv,
  ...postgresEnv('chat_auth'),
  ...RedisEnv,
  /** Prefix of every Redis key auth writes (tests use their own). */
  AUTH_REDIS_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]+:$/, 'must be letters, digits, "_", "." or "-" ending with ":"').default('auth:'),
  /** Lifetime of access tokens, in seconds. */
  AUTH_ACCESS_TOKEN_TTL_SECONDS: positiveInt(86_400).default(900),
  /** Lifetime of each refresh token, in days (a rotation issues a fresh one). */
  AUTH_REFRESH_TOKEN_TTL_DAYS: positive(365).default(30),
  /** Age in days at which the active signing key is replaced by a new one. */
  AUTH_KEY_ROTATION_DAYS: positive(3650).default(30),
  /** When set, private signing keys are stored encrypted (AES-256-GCM) with a key derived from it. */
  AUTH_KEY_ENCRYPTION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  AUTH_TOKEN_ISSUER: z.string().min(1).default(ACCESS_TOKEN_ISSUER),
  AUTH_TOKEN_AUDIENCE: z.string().min(1).default(ACCESS_TOKEN_AUDIENCE),
  /** argon2id cost: memory in KiB and passes. The defaults take about 80 ms on a 2-core machine. */
  AUTH_ARGON2_MEMORY_KIB: z.coerce.number().int().min(8192).max(1_048_576).default(32_768),
  AUTH_ARGON2_TIME_COST: positiveInt(20).default(3),
  /** Rate limits: attempts per window, per key. */
  AUTH_RATE_LIMIT_WINDOW_SECONDS: positiveInt(86_400).default(60),
  /** Failed sign-ins per client address and window (any usernames); correct ones never count. */
  AUTH_LOGIN_LIMIT_PER_ADDRESS: positiveInt(1_000_000).default(30),
  /**
   * Failed sign-ins of one (username, address) pair before each further attempt waits
   * base × 2^(failures − free) seconds after the last failure, at most max; forgotten after memory.
   */
  AUTH_LOGIN_FREE_FAILURES: z.coerce.number().int().min(0).max(1000).default(3),
  AUTH_LOGIN_DELAY_BASE_SECONDS: positive(3600).default(1),
  AUTH_LOGIN_DELAY_MAX_SECONDS: positive(86_400).default(900),
  AUTH_LOGIN_FAILURE_MEMORY_SECONDS: positiveInt(30 * 86_400).default(86_400),
  AUTH_REGISTER_LIMIT_PER_ADDRESS: positiveInt(1_000_000).default(20),
  /** Proxy hops in front of auth whose X-Forwarded-For is believed (front door + gateway: 2). */
  TRUST_PROXY: TrustProxySchema.default(0),
});
export type AuthConfig = z.infer<typeof AuthConfigSchema>;
