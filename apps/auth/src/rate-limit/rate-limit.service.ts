// Limits registrations per client address (every attempt counts, refused ones included, so
// hammering keeps a key refused instead of probing its edge) and failed sign-ins per client address
// (`check` before the password is verified, `count` after it failed: correct sign-ins never count).
// Per (username, address) pair sign-ins are slowed by LoginThrottle.
// When Redis cannot be reached the attempt is refused as `unavailable`: a limiter that fails open
// would let a password guesser through exactly when it is needed.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError, APP_CONFIG } from '@chat/service-kit';
import { Clock } from '../common/clock';
import { type AuthConfig } from '../config';
import { RateLimitRepository } from './rate-limit.repository';
import { decide, type WindowCounts, windowIndex } from './sliding-window';

export type RateLimitRule = 'login-address' | 'register-address';

type RateLimitConfig = Pick<
  AuthConfig,
  'AUTH_RATE_LIMIT_WINDOW_SECONDS' | 'AUTH_LOGIN_LIMIT_PER_ADDRESS' | 'AUTH_REGISTER_LIMIT_PER_ADDRESS'
>;

@Injectable()
export class RateLimitService {
  private readonly logger = new Logger(RateLimitService.name);
  private readonly windowMs: number;
  private readonly limits: Readonly<Record<RateLimitRule, number>>;

  constructor(
    private readonly counters: RateLimitRepository,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: RateLimitConfig,
  ) {
    this.windowMs = config.AUTH_RATE_LIMIT_WINDOW_SECONDS * 1000;
    this.limits = {
      'login-address': config.AUTH_LOGIN_LIMIT_PER_ADDRESS,
      'register-address': config.AUTH_REGISTER_LIMIT_PER_ADDRESS,
    };
  }

  /** Counts an attempt of `subject` under `rule`; throws `rate_limited` (with Retry-After) past the limit. */
  async consume(rule: RateLimitRule, subject: string): Promise<void> {
    const now = this.clock.now().getTime();
    const counts = await this.guard(rule, () => this.counters.hit(`${rule}:${subject}`, windowIndex(now, this.windowMs), this.windowMs));
    this.enforce(rule, now, counts);
  }

  /** Throws `rate_limited` when one more counted attempt would be past the limit; counts nothing. */
  async check(rule: RateLimitRule, subject: string): Promise<void> {
    const now = this.clock.now().getTime();
    const counts = await this.guard(rule, () => this.counters.peek(`${rule}:${subject}`, windowIndex(now, this.windowMs)));
    this.enforce(rule, now, { ...counts, current: counts.current + 1 });
  }

  /** Counts an attempt (a failed sign-in) without refusing it: the next `check` decides. */
  async count(rule: RateLimitRule, subject: string): Promise<void> {
    const now = this.clock.now().getTime();
    await this.guard(rule, () => this.counters.hit(`${rule}:${subject}`, windowIndex(now, this.windowMs), this.windowMs));
  }

  private async guard<T>(rule: RateLimitRule, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      this.logger.warn({ err: error, rule }, 'rate limiter unavailable');
      throw new AppError('unavailable', 'temporarily unable to accept sign-ins; try again');
    }
  }

  private enforce(rule: RateLimitRule, now: number, counts: WindowCounts): void {
    const decision = decide(this.limits[rule], this.windowMs, now, counts);
    if (!decision.allowed) {
      const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
      throw new AppError('rate_limited', `too many attempts; try again in ${seconds} s`, seconds);
    }
  }
}
