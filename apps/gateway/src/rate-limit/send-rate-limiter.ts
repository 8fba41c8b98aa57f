// Per-user budget of `message:send`, shared by every gateway instance through Redis: one
// fixed-window counter per rule, checked and incremented atomically by a Lua script (a refused
// send is not counted, so a flood does not extend its own penalty). Window buckets are computed
// from this process's clock; instances' clocks only need to agree to well within a window.
// When Redis cannot answer within a short deadline the send is allowed (fail open): sending is
// the product, and messaging still stores every command exactly once by clientMsgId.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { REDIS } from '@chat/redis';
import { APP_CONFIG, withTimeout } from '@chat/service-kit';
import type Redis from 'ioredis';
import { type GatewayConfig } from '../config';
import { type RateLimitRule } from './rate-limit-rules';

export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

/** KEYS: one counter per rule. ARGV: limit and window (ms) per rule. Returns 0, or the 1-based index of the rule that refuses. */
const CHECK_AND_COUNT = `
for i = 1, #KEYS do
  local count = tonumber(redis.call('GET', KEYS[i]) or '0')
  if count >= tonumber(ARGV[2 * i - 1]) then return i end
end
for i = 1, #KEYS do
  if redis.call('INCR', KEYS[i]) == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[2 * i]) end
end
return 0
`;

const REDIS_DEADLINE_MS = 500;

interface ScriptedRedis {
  gatewaySendLimit(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Promise<number>;
}

export interface SendRateLimiterOptions {
  rules: readonly RateLimitRule[];
  now?: () => number;
}

export class RedisRateLimiter {
  private readonly logger = new Logger('SendRateLimiter');
  private readonly now: () => number;
  private lastWarning = 0;

  constructor(
    private readonly redis: Redis,
    private readonly name: string,
    private readonly options: SendRateLimiterOptions,
  ) {
    this.now = options.now ?? Date.now;
    if (!('gatewaySendLimit' in redis)) redis.defineCommand('gatewaySendLimit', { lua: CHECK_AND_COUNT });
  }

  async consume(subject: string): Promise<RateDecision> {
    const now = this.now();
    const { rules } = this.options;
    // The hash tag keeps one subject's counters in one slot, should Redis ever be a cluster.
    const keys = rules.map((r) => `ratelimit:${this.name}:{${subject}}:${r.windowMs}:${Math.floor(now / r.windowMs)}`);
    const args = rules.flatMap((r) => [r.limit, r.windowMs]);
    let refusedBy: number;
    try {
      refusedBy = await withTimeout((this.redis as unknown as ScriptedRedis).gatewaySendLimit(keys.length, ...keys, ...args), REDIS_DEADLINE_MS, 'redis');
    } catch (error) {
      if (now - this.lastWarning > 10_000) {
        this.lastWarning = now;
        this.logger.warn(`rate limit not enforced, redis failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      return { allowed: true };
    }
    const rule = rules[refusedBy - 1];
    if (refusedBy === 0 || !rule) return { allowed: true };
    return { allowed: false, retryAfterMs: (Math.floor(now / rule.windowMs) + 1) * rule.windowMs - now };
  }
}

/** The limiter of `message:send`, per user, with the SEND_RATE_LIMIT rules. */
@Injectable()
export class SendRateLimiter extends RedisRateLimiter {
  constructor(@Inject(REDIS) redis: Redis, @Inject(APP_CONFIG) config: GatewayConfig) {
    super(redis, 'send', { rules: config.SEND_RATE_LIMIT });
  }
}
