// The address a request came from, for per-address rate limits. Behind the gateway every request
// arrives from the gateway, so with TRUST_PROXY=N the address is read from X-Forwarded-For instead:
// the N-th entry from the right, the one the outermost trusted proxy wrote. Entries further left
// were written by the client and are never believed.
import { Inject, Injectable } from '@nestjs/common';
import { type IncomingMessage } from 'node:http';
import { APP_CONFIG } from '@chat/service-kit';
import { type AuthConfig } from '../config';

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

@Injectable()
export class ClientAddresses {
  private readonly trustedHops: number;

  constructor(@Inject(APP_CONFIG) config: Pick<AuthConfig, 'TRUST_PROXY'>) {
    this.trustedHops = config.TRUST_PROXY;
  }

  of(request: Pick<IncomingMessage, 'headers' | 'socket'>): string {
    return clientAddress(request, this.trustedHops);
  }
}
