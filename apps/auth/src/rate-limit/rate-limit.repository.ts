// LoginThrottle's failed sign-ins in Redis (under the service's `auth:` prefix): per (username,
// address) pair, how many and when the last one was. (The per-address limits are
// rate-limiter-flexible's, in RateLimitService.)
import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS } from '@chat/redis';

@Injectable()
export class RateLimitRepository {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  /** Failed sign-ins of one (username, address) pair: how many, and when the last one was. */
  async failures(key: string): Promise<{ count: number; lastAt: number } | undefined> {
    const [count, lastAt] = await this.redis.hmget(`fail:${key}`, 'count', 'lastAt');
    return count === null ? undefined : { count: Number(count), lastAt: Number(lastAt ?? 0) };
  }

  async recordFailure(key: string, atMs: number, keepMs: number): Promise<void> {
    const results = await this.redis.multi().hincrby(`fail:${key}`, 'count', 1).hset(`fail:${key}`, 'lastAt', atMs).pexpire(`fail:${key}`, keepMs).exec();
    const failed = results?.find(([error]) => error);
    if (!results || failed?.[0]) throw failed?.[0] ?? new Error('failure transaction was discarded');
  }

  async clearFailures(key: string): Promise<void> {
    await this.redis.del(`fail:${key}`);
  }
}
