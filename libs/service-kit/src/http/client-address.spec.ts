import { type IncomingMessage } from 'node:http';
import { type Socket } from 'node:net';
import { clientAddress } from './client-address';

function request(peer: string | undefined, forwardedFor?: string | string[]): Pick<IncomingMessage, 'headers' | 'socket'> {
  return { headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor }, socket: { remoteAddress: peer } as Socket };
}

describe('clientAddress', () => {
  it('uses the peer address and ignores X-Forwarded-For when no proxy is trusted', () => {
    expect(clientAddress(request('10.0.0.5', '1.2.3.4'), 0)).toBe('10.0.0.5');
  });

  it('reads IPv4-mapped IPv6 peers as IPv4', () => {
    expect(clientAddress(request('::ffff:127.0.0.1'), 0)).toBe('127.0.0.1');
    expect(clientAddress(request('::1'), 0)).toBe('::1');
  });

  it('with one trusted proxy takes the right-most forwarded entry, not what the client wrote', () => {
    // The client sent "X-Forwarded-For: 6.6.6.6"; the gateway appended the real address.
    expect(clientAddress(request('10.0.0.2', '6.6.6.6, 203.0.113.9'), 1)).toBe('203.0.113.9');
  });

  it('with two trusted proxies takes the second entry from the right', () => {
    expect(clientAddress(request('10.0.0.2', ['6.6.6.6, 203.0.113.9', '10.0.0.3']), 2)).toBe('203.0.113.9');
  });

  it('falls back to the left-most known address when fewer proxies forwarded than trusted', () => {
    expect(clientAddress(request('10.0.0.2', '203.0.113.9'), 3)).toBe('203.0.113.9');
    expect(clientAddress(request('10.0.0.2'), 1)).toBe('10.0.0.2');
  });
});
