import { parseRateLimitRules, RateLimitRulesSchema } from './rate-limit-rules';

describe('parseRateLimitRules', () => {
  it('reads a list of count/window rules', () => {
    expect(parseRateLimitRules('20/1s, 50/5s,1000/1h,5/250ms,3/2m')).toEqual([
      { limit: 20, windowMs: 1_000 },
      { limit: 50, windowMs: 5_000 },
      { limit: 1000, windowMs: 3_600_000 },
      { limit: 5, windowMs: 250 },
      { limit: 3, windowMs: 120_000 },
    ]);
  });

  it.each(['', '20', '20/s', '0/1s', '20/1d', 'x/1s', '20/10ms', '20/1s;50/5s'])('refuses %p', (text) => {
    expect(() => parseRateLimitRules(text)).toThrow();
  });

  it('reports the bad rule through the schema', () => {
    const result = RateLimitRulesSchema.safeParse('20/1s,oops');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('"oops"');
  });
});
