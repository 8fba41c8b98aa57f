// The limiter against the real Redis (REDIS_URL or the local default), in a key prefix of its own.
import { uniqueName } from '@chat/testing';
import Redis from 'ioredis';
import { RedisRateLimiter } from './send-rate-limiter';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

describe('RedisRateLimiter (real Redis)', () => {
  let redis: Redis;
  const prefix = `${uniqueName('gwtest')}:`;

  beforeAll(() => {
    redis = new Redis(REDIS_URL, { keyPrefix: prefix, maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys.map((k) => k.slice(prefix.length)));
    await redis.quit();
  });

  it('allows each rule\'s count per window, refuses the rest with the time left, and counts per subject', async () => {
    let now = 10_000_000; // on a 5 s boundary
    const limiter = new RedisRateLimiter(redis, 'send', { rules: [{ limit: 3, windowMs: 1_000 }, { limit: 5, windowMs: 5_000 }], now: () => now });

    const first = await Promise.all([1, 2, 3, 4].map(() => limiter.consume('alice')));
    expect(first.filter((d) => d.allowed)).toHaveLength(3);
    expect(first.find((d) => !d.allowed)).toEqual({ allowed: false, retryAfterMs: 1_000 });
    await expect(limiter.consume('bob')).resolves.toEqual({ allowed: true });

    now += 1_000; // next 1 s window, same 5 s window: two more allowed by the 5 s rule
    expect(await limiter.consume('alice')).toEqual({ allowed: true });
    expect(await limiter.consume('alice')).toEqual({ allowed: true });
    expect(await limiter.consume('alice')).toEqual({ allowed: false, retryAfterMs: 4_000 });

    now += 4_000; // a fresh 5 s window
    expect(await limiter.consume('alice')).toEqual({ allowed: true });
  });

  it('writes its counters under the service prefix, with an expiry', async () => {
    const limiter = new RedisRateLimiter(redis, 'probe', { rules: [{ limit: 1, windowMs: 60_000 }] });
    await limiter.consume('carol');
    const keys = await redis.keys(`${prefix}ratelimit:probe:{carol}:*`);
    expect(keys).toHaveLength(1);
    expect(await redis.pttl((keys[0]).slice(prefix.length))).toBeGreaterThan(0);
  });

  it('allows sends when Redis cannot answer (fail open)', async () => {
    const broken = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
    try {
      const limiter = new RedisRateLimiter(broken, 'send', { rules: [{ limit: 1, windowMs: 1_000 }] });
      await expect(limiter.consume('dave')).resolves.toEqual({ allowed: true });
    } finally {
      broken.disconnect();
    }
  });
});
