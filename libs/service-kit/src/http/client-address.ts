// The address a request came from, for per-address rate limits. Behind proxies (the front door,
// the gateway) every request arrives from the proxy, so with N trusted hops the address is read
// from X-Forwarded-For instead: the N-th entry from the right, the one the outermost trusted proxy
// wrote. Entries further left were written by the client and are never believed.
import { type IncomingMessage } from 'node:http';
import { z } from 'zod';

/**
 * TRUST_PROXY: `false`/`0`: the peer address (direct exposure); `true`/`1`: one trusted proxy
 * appended the client address; `N`: N trusted proxies.
 */
export const TrustProxySchema = z
  .string()
  .regex(/^(true|false|yes|no|[0-9])$/, 'must be true, false or a number of proxy hops 0-9')
  .transform((v) => (v === 'true' || v === 'yes' ? 1 : v === 'false' || v === 'no' ? 0 : Number(v)));

/** `::ffff:10.0.0.1` (an IPv4 peer of a dual-stack socket) reads as `10.0.0.1`. */
function normalize(address: string): string {
  const trimmed = address.trim();
  return trimmed.startsWith('::ffff:') && trimmed.includes('.') ? trimmed.slice(7) : trimmed;
}

export function clientAddress(request: Pick<IncomingMessage, 'headers' | 'socket'>, trustedHops: number): string {
  const peer = normalize(request.socket.remoteAddress ?? 'unknown');
  if (trustedHops === 0) return peer;
  const header = request.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  // Nearest first: the peer, then what each trusted proxy appended, right to left.
  const chain = [peer, ...forwarded.reverse().map(normalize)];
  return chain[Math.min(trustedHops, chain.length - 1)] ?? peer;
}
