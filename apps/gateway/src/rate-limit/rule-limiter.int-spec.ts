// Shared budgets against the real Redis (REDIS_URL or the local default), under a prefix of their own.
import { uniqueName } from '@chat/testing';
import Redis from 'ioredis';
import { RuleLimiter } from './rule-limiter';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

describe('RuleLimiter.shared (real Redis)', () => {
  let redis: Redis;
  const prefix = `${uniqueName('gwtest')}:`;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL, { keyPrefix: prefix, maxRetriesPerRequest: 1 });
    // Until the connection is ready the insurance (per instance) decides.
    await redis.ping();
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys.map((k) => k.slice(prefix.length)));
    await redis.quit();
  });

  it('counts one budget across instances, per key, with the time left when refused', async () => {
    const rules = [{ limit: 3, windowMs: 10_000 }];
    const [first, second] = [RuleLimiter.shared('handshake', rules, redis), RuleLimiter.shared('handshake', rules, redis)];
    expect(await first.consume('alice')).toEqual({ allowed: true });
    expect(await second.consume('alice')).toEqual({ allowed: true });
    expect(await first.consume('alice')).toEqual({ allowed: true });
    const refused = await second.consume('alice');
    expect(refused.allowed).toBe(false);
    expect((refused as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(5_000);
    expect(await second.consume('bob')).toEqual({ allowed: true });
    const keys = await redis.keys(`${prefix}ratelimit:handshake:0:*`);
    expect(keys.map((k) => k.slice(prefix.length)).sort()).toEqual(['ratelimit:handshake:0:alice', 'ratelimit:handshake:0:bob']);
    expect(await redis.pttl(`ratelimit:handshake:0:alice`)).toBeGreaterThan(0);
  });

  it('falls back to a per-instance budget of the same rules while Redis cannot answer', async () => {
    const broken = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
    try {
      const limiter = RuleLimiter.shared('files', [{ limit: 2, windowMs: 60_000 }], broken);
      expect(await limiter.consume('carol')).toEqual({ allowed: true });
      expect(await limiter.consume('carol')).toEqual({ allowed: true });
      expect((await limiter.consume('carol')).allowed).toBe(false);
    } finally {
      broken.disconnect();
    }
  });
});
