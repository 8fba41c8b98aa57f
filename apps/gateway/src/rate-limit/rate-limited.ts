// The protocol's `rate_limited` answer: code, a sentence saying when to retry, and `retryAfterMs`
// (an addition to PROTOCOL v1's error detail; REST answers carry `Retry-After` in seconds too).
import { type ErrorDetail } from '@chat/contracts';

export function rateLimited(what: string, retryAfterMs: number): ErrorDetail & { code: 'rate_limited' } {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return { code: 'rate_limited', message: `too many ${what}; retry in ${seconds} s`, retryAfterMs };
}
