// Slows password guessing without letting anyone lock an account out. Only failed sign-ins count,
// per (username, client address) pair: after `freeFailures` failures each further attempt of that
// pair must wait base × 2^(failures − freeFailures), capped at `maxDelay`; attempts during the wait
// are refused (`rate_limited`, Retry-After) before the password is even checked, and a correct
// sign-in clears the pair. An attacker's failures from their own address therefore never delay the
// owner signing in from theirs. Guessing across many usernames from one address is held by the
// per-address failure limit (RateLimitService), guessing one username from many addresses by the
// cost of each attempt times the delay per address. Failures are forgotten after `memory`.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError, APP_CONFIG } from '@chat/service-kit';
import { Clock } from '../common/clock';
import { type AuthConfig } from '../config';
import { RateLimitRepository } from './rate-limit.repository';

export interface LoginDelayPolicy {
  freeFailures: number;
  baseMs: number;
  maxMs: number;
}

/** How long after the last failure the next attempt must wait, having failed `failures` times. */
export function loginDelayMs(failures: number, policy: LoginDelayPolicy): number {
  if (failures < policy.freeFailures) return 0;
  const exponent = Math.min(failures - policy.freeFailures, 40);
  return Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
}

type ThrottleConfig = Pick<
  AuthConfig,
  'AUTH_LOGIN_FREE_FAILURES' | 'AUTH_LOGIN_DELAY_BASE_SECONDS' | 'AUTH_LOGIN_DELAY_MAX_SECONDS' | 'AUTH_LOGIN_FAILURE_MEMORY_SECONDS'
>;

@Injectable()
export class LoginThrottle {
  private readonly logger = new Logger(LoginThrottle.name);
  private readonly policy: LoginDelayPolicy;
  private readonly memoryMs: number;

  constructor(
    private readonly counters: RateLimitRepository,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: ThrottleConfig,
  ) {
    this.policy = {
      freeFailures: config.AUTH_LOGIN_FREE_FAILURES,
      baseMs: config.AUTH_LOGIN_DELAY_BASE_SECONDS * 1000,
      maxMs: config.AUTH_LOGIN_DELAY_MAX_SECONDS * 1000,
    };
    this.memoryMs = config.AUTH_LOGIN_FAILURE_MEMORY_SECONDS * 1000;
  }

  /** Throws `rate_limited` while the pair must still wait; `unavailable` when Redis cannot say. */
  async admit(username: string, address: string): Promise<void> {
    const state = await this.guard(() => this.counters.failures(this.key(username, address)));
    if (!state) return;
    const waitMs = state.lastAt + loginDelayMs(state.count, this.policy) - this.clock.now().getTime();
    if (waitMs > 0) {
      const seconds = Math.max(1, Math.ceil(waitMs / 1000));
      throw new AppError('rate_limited', `too many failed sign-ins; try again in ${seconds} s`, seconds);
    }
  }

  async failed(username: string, address: string): Promise<void> {
    await this.guard(() => this.counters.recordFailure(this.key(username, address), this.clock.now().getTime(), this.memoryMs));
  }

  async succeeded(username: string, address: string): Promise<void> {
    try {
      await this.counters.clearFailures(this.key(username, address));
    } catch (error) {
      // The sign-in stands; the pair's old failures expire on their own.
      this.logger.warn({ err: error }, 'could not clear failed sign-ins');
    }
  }

  private key(username: string, address: string): string {
    return `login-failures:${username.toLowerCase()}:${address}`;
  }

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      this.logger.warn({ err: error }, 'login throttle unavailable');
      throw new AppError('unavailable', 'temporarily unable to accept sign-ins; try again');
    }
  }
}
