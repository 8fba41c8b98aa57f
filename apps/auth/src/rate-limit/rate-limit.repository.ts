// Rate-limit counters in Redis (under the service's `auth:` prefix): one counter per key and fixed
// window, kept for two windows so the next window can weigh it.
import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS } from '@chat/redis';
import { type WindowCounts } from './sliding-window';

@Injectable()
export class RateLimitRepository {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

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
