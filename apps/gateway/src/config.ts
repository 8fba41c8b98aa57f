import { z } from 'zod';
import { LIMITS } from '@chat/contracts';
import { BaseConfigSchema, jwksEnv, KafkaEnv, PortSchema, RedisEnv, TrustProxySchema, UrlSchema } from '@chat/service-kit';
import { parseRateLimitRules, RateLimitRulesSchema } from './rate-limit/rate-limit-rules';

const httpUrl = UrlSchema(['http', 'https']);
const millis = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const rules = (defaults: string) => RateLimitRulesSchema.default(parseRateLimitRules(defaults));

export const GatewayConfigSchema = BaseConfigSchema.extend({
  PORT: PortSchema.default(8080),
  ...KafkaEnv,
  ...RedisEnv,
  ...jwksEnv(),
  AUTH_URL: httpUrl.default('http://127.0.0.1:3001'),
  MESSAGING_URL: httpUrl.default('http://127.0.0.1:3002'),
  PRESENCE_URL: httpUrl.default('http://127.0.0.1:3003'),
  FILES_URL: httpUrl.default('http://127.0.0.1:3004'),
  /** Folder of the built web client (apps/web/dist) to serve on the one origin; unset: none. */
  WEB_ROOT: z.string().min(1).optional(),
  // Rate limits (apps/gateway/src/rate-limit, README "Rate limits"): each a comma-separated list
  // of `<count>/<window>` rules that must all hold. "Per instance" budgets are counted in this
  // process (no I/O on the hot path; a user on two instances has two); "shared" ones in Redis.
  /** Per user and instance: `message:send`. */
  SEND_RATE_LIMIT: rules('20/1s,50/5s'),
  /** Per user and instance: `message:edit`, `message:delete`, `reaction:add`/`remove`, together. */
  CHANGE_RATE_LIMIT: rules('30/1s,300/1m'),
  /** Per user and instance: `read` markers. */
  READ_RATE_LIMIT: rules('30/1s,600/1m'),
  /** Per user and instance: `sync` (each is a history read in messaging). */
  SYNC_RATE_LIMIT: rules('10/1s,200/1m'),
  /** Per user and instance: every other client event (`typing`, `presence:*`, `auth:refresh`). */
  SOCKET_EVENT_RATE_LIMIT: rules('30/1s,600/1m'),
  /** Shared, per client address: Socket.IO handshakes (counted before the token is checked). */
  HANDSHAKE_RATE_LIMIT_PER_ADDRESS: rules('60/10s,600/10m'),
  /** Shared, per user: Socket.IO handshakes. */
  HANDSHAKE_RATE_LIMIT_PER_USER: rules('20/10s,200/10m'),
  /** Per user and instance: sockets open at once. */
  SOCKETS_PER_USER: z.coerce.number().int().min(1).max(10_000).default(20),
  /** Per instance, per client address: every proxied REST call. */
  REST_RATE_LIMIT_PER_ADDRESS: rules('300/1s,6000/1m'),
  /** Per instance, per user (a valid bearer token): every proxied REST call. */
  REST_RATE_LIMIT_PER_USER: rules('100/1s,3000/1m'),
  /** Per instance, per user: `GET /api/search`. */
  SEARCH_RATE_LIMIT: rules('5/1s,60/1m'),
  /** Shared, per user: `POST /api/files` (upload slots). */
  FILE_CREATE_RATE_LIMIT: rules('20/1m,300/1h'),
  /** Proxy hops in front of the gateway whose X-Forwarded-For is believed (npm start's front door: 1). */
  TRUST_PROXY: TrustProxySchema.default(0),
  /**
   * The direct hop of sends (docs/design/sequencer.md, "The direct hop"): with the secret messaging
   * has too, a `message:send` goes straight to the partition's owner and only falls back to
   * chat.channel.command.v1. Unset: every command goes through the bus.
   */
  COMMAND_HOP_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** How long a command waits for messaging's reply before its ack says `unavailable`. */
  COMMAND_TIMEOUT_MS: millis(100, 120_000).default(15_000),
  /** Commands of one socket awaiting their reply at once; more are answered `rate_limited`. */
  PENDING_COMMANDS_PER_SOCKET: z.coerce.number().int().min(1).max(10_000).default(100),
  /** Deadline of the gateway's own calls to messaging (memberships at connect, `sync`). */
  MESSAGING_TIMEOUT_MS: millis(100, 60_000).default(5_000),
  /** A proxied REST call whose upstream stays silent this long is answered 503 `unavailable`. */
  PROXY_TIMEOUT_MS: millis(100, 300_000).default(30_000),
  /**
   * Largest frame the Socket.IO transport accepts (engine.io `maxHttpBufferSize`), a hard bound on
   * what one frame may hold in memory. Payloads between LIMITS.socketPayloadMaxBytes (64 KiB) and
   * this are answered `too_large` (those over 128 KiB without being parsed); beyond it the
   * transport itself closes the connection (the client reconnects).
   */
  SOCKET_MAX_FRAME_BYTES: z.coerce.number().int().min(LIMITS.socketPayloadMaxBytes * 4).max(64 * 1024 * 1024).default(16 * 1024 * 1024),
  /**
   * How long presence keeps this instance's sessions without a heartbeat (sent every third of it):
   * after a crash its users turn offline within this plus presence's sweep interval.
   */
  PRESENCE_LEASE_MS: millis(1_000, 600_000).default(15_000),
  /** Presence signals of this instance are collected this long and sent as one Kafka batch. */
  PRESENCE_FLUSH_MS: millis(10, 5_000).default(100),
  /** At most one `typing` per user and channel is relayed per this window (all instances). */
  TYPING_THROTTLE_MS: millis(100, 60_000).default(2_000),
  /**
   * A socket whose access token expired is disconnected (`session:closed`, `unauthorized`) unless
   * the client hands over a new token (`auth:refresh`) within this grace after the expiry.
   */
  SOCKET_TOKEN_GRACE_MS: millis(0, 600_000).default(30_000),
  /**
   * How long a revoked session is remembered (its tokens refused at the handshake): at least auth's
   * access-token lifetime (AUTH_ACCESS_TOKEN_TTL_SECONDS, 15 min by default).
   */
  REVOKED_SESSIONS_RETAIN_MS: millis(60_000, 7 * 86_400_000).default(86_400_000),
  /** Channels whose highest delivered seq is remembered (least recently used forgotten). */
  SEQ_DEDUP_CHANNELS: z.coerce.number().int().min(1).max(10_000_000).default(100_000),
  /** Every N-th command carries trace headers for the hop histograms (1: all, 0: none). */
  TRACE_SAMPLE_EVERY: z.coerce.number().int().min(0).max(1_000_000).default(16),
});
export type GatewayConfig = z.infer<typeof GatewayConfigSchema>;
