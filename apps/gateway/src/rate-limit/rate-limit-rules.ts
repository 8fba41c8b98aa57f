// The notation of the gateway's rate-limit variables (`SEND_RATE_LIMIT`, `CHANGE_RATE_LIMIT`, …): a
// comma-separated list of `<count>/<window>` rules, every one of which must hold, e.g. `20/1s,50/5s`
// = bursts of at most 20 sends in a second and 50 in 5 s.
import { z } from 'zod';

export interface RateLimitRule {
  /** Most actions allowed within one window. */
  limit: number;
  windowMs: number;
}

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
const RULE = /^(\d{1,6})\/(\d{1,6})(ms|s|m|h)$/;

/** Parses one rule list; throws naming the first malformed rule. */
export function parseRateLimitRules(text: string): RateLimitRule[] {
  const parts = text.split(',').map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) throw new Error('must name at least one rule like 20/1s');
  return parts.map((part) => {
    const match = RULE.exec(part);
    if (!match) throw new Error(`"${part}" is not a rule like 20/1s or 50/5s`);
    const [, count, amount, unit] = match as unknown as [string, string, string, keyof typeof UNIT_MS];
    const limit = Number(count);
    const windowMs = Number(amount) * UNIT_MS[unit];
    if (limit < 1) throw new Error(`"${part}": the count must be at least 1`);
    if (windowMs < 100 || windowMs > 86_400_000) throw new Error(`"${part}": the window must be between 100 ms and 24 h`);
    return { limit, windowMs };
  });
}

/** Zod form of the notation, for the config schema. */
export const RateLimitRulesSchema = z.string().transform((text, ctx): RateLimitRule[] => {
  try {
    return parseRateLimitRules(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
    return z.NEVER;
  }
});
