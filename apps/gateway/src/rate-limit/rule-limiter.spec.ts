import { RuleLimiter } from './rule-limiter';

describe('RuleLimiter.local', () => {
  it('allows each rule\'s count, refuses the rest with the time left, and counts per key', async () => {
    const limiter = RuleLimiter.local('test', [{ limit: 3, windowMs: 1_000 }, { limit: 5, windowMs: 60_000 }]);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await limiter.consume('alice'));
    expect(answers.slice(0, 3)).toEqual([{ allowed: true }, { allowed: true }, { allowed: true }]);
    expect(answers[3]).toMatchObject({ allowed: false });
    const refused = answers[3] as { retryAfterMs: number };
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(1_000);
    await expect(limiter.consume('bob')).resolves.toEqual({ allowed: true });
  });

  it('gives a refused action back, so hammering the short rule does not drain the long one', async () => {
    const limiter = RuleLimiter.local('test', [{ limit: 2, windowMs: 200 }, { limit: 4, windowMs: 60_000 }]);
    for (let i = 0; i < 2; i++) expect(await limiter.consume('carol')).toEqual({ allowed: true });
    for (let i = 0; i < 20; i++) expect((await limiter.consume('carol')).allowed).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 250));
    // Only the two allowed count against the 4-per-minute rule.
    expect(await limiter.consume('carol')).toEqual({ allowed: true });
    expect(await limiter.consume('carol')).toEqual({ allowed: true });
    const refused = await limiter.consume('carol');
    expect(refused.allowed).toBe(false);
    // Refused by the long rule now: retry in about a minute.
    expect((refused as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(50_000);
  });
});
