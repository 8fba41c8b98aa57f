// Rate-limit counters in Redis (under the service's `auth:` prefix): one counter per key and fixed
// window, kept for two windows so the next window can weigh it.
import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS } from '@chat/redis';
import { type WindowCounts } from './sliding-window';

@Injectable()
export class RateLimitRepository {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  /** Reads the counts of window `index` and of the window before, counting nothing. */
  async peek(key: string, index: number): Promise<WindowCounts> {
    const [current, previous] = await this.redis.mget(`rl:${key}:${index}`, `rl:${key}:${index - 1}`);
    return { current: Number(current ?? 0), previous: Number(previous ?? 0) };
  }

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

  /** Counts one hit in window `index` and reads the counts of it and of the window before. */
  async hit(key: string, index: number, windowMs: number): Promise<WindowCounts> {
    const current = `rl:${key}:${index}`;
    const previous = `rl:${key}:${index - 1}`;
    const results = await this.redis.multi().incr(current).pexpire(current, windowMs * 2).get(previous).exec();
    if (!results) throw new Error('rate limit transaction was discarded');
    const failed = results.find(([error]) => error);
    if (failed?.[0]) throw failed[0];
    return { current: Number(results[0]?.[1] ?? 0), previous: Number(results[2]?.[1] ?? 0) };
  }
}
