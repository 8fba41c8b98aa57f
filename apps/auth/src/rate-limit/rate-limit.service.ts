// Limits registrations per client address (every attempt counts, refused ones included, so
// hammering keeps a key refused instead of probing its edge) and failed sign-ins per client address
// (`check` before the password is verified, `count` after it failed: correct sign-ins never count).
// Per (username, address) pair sign-ins are slowed by LoginThrottle.
// Counted by rate-limiter-flexible in Redis (RateLimiterRedis, the service's key space: one
// counter per rule and address, for a fixed window from its first attempt), shared by every auth
// instance. When Redis cannot be reached the attempt is refused as `unavailable`: a limiter that
// fails open would let a password guesser through exactly when it is needed.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError } from '@chat/service-kit';
import type Redis from 'ioredis';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { type AuthConfig } from '../config';

export type RateLimitRule = 'login-address' | 'register-address';

/** One library limiter per rule. */
export type RateLimiters = Readonly<Record<RateLimitRule, RateLimiterAbstract>>;
export const RATE_LIMITERS = Symbol('RATE_LIMITERS');

type RateLimitConfig = Pick<AuthConfig, 'AUTH_RATE_LIMIT_WINDOW_SECONDS' | 'AUTH_LOGIN_LIMIT_PER_ADDRESS' | 'AUTH_REGISTER_LIMIT_PER_ADDRESS'>;

function options(config: RateLimitConfig): Record<RateLimitRule, { keyPrefix: string; points: number; duration: number }> {
  const duration = config.AUTH_RATE_LIMIT_WINDOW_SECONDS;
  return {
    'login-address': { keyPrefix: 'rl:login-address', points: config.AUTH_LOGIN_LIMIT_PER_ADDRESS, duration },
    'register-address': { keyPrefix: 'rl:register-address', points: config.AUTH_REGISTER_LIMIT_PER_ADDRESS, duration },
  };
}

/** The limiters in Redis, shared by every instance (production). */
export function redisRateLimiters(redis: Redis, config: RateLimitConfig): RateLimiters {
  const { 'login-address': login, 'register-address': register } = options(config);
  return {
    'login-address': new RateLimiterRedis({ ...login, storeClient: redis, rejectIfRedisNotReady: true }),
    'register-address': new RateLimiterRedis({ ...register, storeClient: redis, rejectIfRedisNotReady: true }),
  };
}

/** The same limiters in this process's memory (unit specs). */
export function memoryRateLimiters(config: RateLimitConfig): RateLimiters {
  const { 'login-address': login, 'register-address': register } = options(config);
  return { 'login-address': new RateLimiterMemory(login), 'register-address': new RateLimiterMemory(register) };
}

function refused(res: RateLimiterRes): AppError {
  const seconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  return new AppError('rate_limited', `too many attempts; try again in ${seconds} s`, seconds);
}

@Injectable()
export class RateLimitService {
  private readonly logger = new Logger(RateLimitService.name);

  constructor(@Inject(RATE_LIMITERS) private readonly limiters: RateLimiters) {}

  /** Counts an attempt of `subject` under `rule`; throws `rate_limited` (with Retry-After) past the limit. */
  async consume(rule: RateLimitRule, subject: string): Promise<void> {
    try {
      await this.limiters[rule].consume(subject);
    } catch (error) {
      if (error instanceof RateLimiterRes) throw refused(error);
      throw this.unavailable(rule, error);
    }
  }

  /** Throws `rate_limited` when one more counted attempt would be past the limit; counts nothing. */
  async check(rule: RateLimitRule, subject: string): Promise<void> {
    const limiter = this.limiters[rule];
    const state = await limiter.get(subject).catch((error: unknown) => {
      throw this.unavailable(rule, error);
    });
    if (state && state.consumedPoints >= limiter.points) throw refused(state);
  }

  /** Counts an attempt (a failed sign-in) without refusing it: the next `check` decides. */
  async count(rule: RateLimitRule, subject: string): Promise<void> {
    await this.limiters[rule].penalty(subject).catch((error: unknown) => {
      throw this.unavailable(rule, error);
    });
  }

  private unavailable(rule: RateLimitRule, error: unknown): AppError {
    this.logger.warn({ err: error, rule }, 'rate limiter unavailable');
    return new AppError('unavailable', 'temporarily unable to accept sign-ins; try again');
  }
}
