// One named budget (a list of `<count>/<window>` rules that must all hold) over rate-limiter-flexible:
// one library limiter per rule, consumed together. A refused action is given back to every rule,
// so a client that keeps hammering is not punished beyond the rule that refused it (a 1 s burst
// must not also drain the 5 s budget).
//
// Two kinds, chosen per budget (see the README's "Rate limits"):
// - `local`: RateLimiterMemory in this process. No I/O: the hot socket commands (sends, edits,
//   reactions, reads, sync) pay a few microseconds, and the budget holds per gateway instance.
// - `shared`: RateLimiterRedis, counted across every instance, for the rarer actions (handshakes,
//   file creation). Redis unreachable, not ready or slower than SHARED_DEADLINE_MS: its insurance
//   limiter, a RateLimiterMemory of the same rules, decides for this instance alone.
import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes, RLWrapperTimeouts } from 'rate-limiter-flexible';
import { type RateLimitRule } from './rate-limit-rules';

export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

/** What every limiter of the gateway offers: consume one action of `key`. */
export interface Limiter {
  consume(key: string): Promise<RateDecision>;
}

/** Longest wait for Redis before the insurance limiter decides. */
export const SHARED_DEADLINE_MS = 300;

/** Redis counts whole seconds (EX); a shared rule's window is rounded up to one. */
const seconds = (windowMs: number): number => Math.max(1, Math.ceil(windowMs / 1000));

export class RuleLimiter implements Limiter {
  private readonly logger = new Logger('RateLimit');

  private constructor(
    readonly name: string,
    private readonly limiters: readonly RateLimiterAbstract[],
  ) {}

  /** A budget held in this process only. */
  static local(name: string, rules: readonly RateLimitRule[]): RuleLimiter {
    return new RuleLimiter(
      name,
      rules.map((rule, i) => new RateLimiterMemory({ keyPrefix: `${name}:${i}`, points: rule.limit, duration: rule.windowMs / 1000 })),
    );
  }

  /** A budget shared through Redis by every instance, per instance while Redis cannot answer. */
  static shared(name: string, rules: readonly RateLimitRule[], redis: Redis): RuleLimiter {
    return new RuleLimiter(
      name,
      rules.map((rule, i) => {
        const options = { keyPrefix: `ratelimit:${name}:${i}`, points: rule.limit, duration: seconds(rule.windowMs) };
        const insuranceLimiter = new RateLimiterMemory(options);
        const store = new RateLimiterRedis({ ...options, storeClient: redis, rejectIfRedisNotReady: true, insuranceLimiter });
        return new RLWrapperTimeouts({ limiter: store, timeoutMs: SHARED_DEADLINE_MS, insuranceLimiter });
      }),
    );
  }

  async consume(key: string): Promise<RateDecision> {
    const results = await Promise.allSettled(this.limiters.map((limiter) => limiter.consume(key)));
    let refused = false;
    let retryAfterMs = 0;
    for (const result of results) {
      if (result.status === 'fulfilled') continue;
      if (result.reason instanceof RateLimiterRes) {
        refused = true;
        retryAfterMs = Math.max(retryAfterMs, result.reason.msBeforeNext);
      } else {
        // Neither the store nor its insurance could count: that alone refuses nothing.
        const reason: unknown = result.reason;
        this.logger.warn({ err: reason, limiter: this.name }, 'rate limit could not be counted');
      }
    }
    if (!refused) return { allowed: true };
    // What the refused action took from each rule is given back (best effort, off the allowed path).
    for (const limiter of this.limiters) void limiter.reward(key).catch(() => undefined);
    return { allowed: false, retryAfterMs: Math.max(1, retryAfterMs) };
  }
}
