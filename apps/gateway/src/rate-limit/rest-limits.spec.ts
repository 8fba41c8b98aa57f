import { type IncomingMessage } from 'node:http';
import { type Socket } from 'node:net';
import { type AccessClaims } from '@chat/contracts';
import { MetricsService } from '@chat/service-kit';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import { type RestCall } from '../proxy/rest-proxy';
import { type GatewayLimits } from './gateway-limits';
import { RestLimits } from './rest-limits';
import { RuleLimiter } from './rule-limiter';

const call = (method: string, path: string): RestCall => ({ service: 'messaging', method, path });

function request(peer: string, token?: string, forwardedFor?: string): Pick<IncomingMessage, 'headers' | 'socket'> {
  return {
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    socket: { remoteAddress: peer } as Socket,
  };
}

type Limiters = Pick<GatewayLimits, 'restByAddress' | 'restByUser' | 'search' | 'fileCreate'>;

/** A token `valid-<user>` verifies as that user's; any other is refused. */
const verifier = {
  verify: (token: string) => (token.startsWith('valid-') ? Promise.resolve({ sub: token.slice(6) } as AccessClaims) : Promise.reject(new Error('bad token'))),
};

function setup(overrides: Partial<Limiters> = {}, trustedHops = 0) {
  const open = () => RuleLimiter.local('open', [{ limit: 1_000, windowMs: 1_000 }]);
  const limiters: Limiters = { restByAddress: open(), restByUser: open(), search: open(), fileCreate: open(), ...overrides };
  return new RestLimits(limiters, { TRUST_PROXY: trustedHops }, verifier, new GatewayMetrics(new MetricsService()));
}

describe('RestLimits', () => {
  it('limits per client address, believing X-Forwarded-For only for trusted hops', async () => {
    const limits = setup({ restByAddress: RuleLimiter.local('address', [{ limit: 2, windowMs: 1_000 }]) }, 1);
    const from = (client: string) => request('127.0.0.1', undefined, `6.6.6.6, ${client}`);
    expect((await limits.admit(from('10.0.0.1'), call('POST', '/auth/login'))).allowed).toBe(true);
    expect((await limits.admit(from('10.0.0.1'), call('POST', '/auth/login'))).allowed).toBe(true);
    const refused = await limits.admit(from('10.0.0.1'), call('POST', '/auth/login'));
    expect(refused).toMatchObject({ allowed: false, error: { code: 'rate_limited' } });
    expect((await limits.admit(from('10.0.0.2'), call('POST', '/auth/login'))).allowed).toBe(true);
  });

  it('limits per user across addresses, and only callers with a valid token', async () => {
    const limits = setup({ restByUser: RuleLimiter.local('user', [{ limit: 1, windowMs: 1_000 }]) });
    expect((await limits.admit(request('10.0.0.1', 'valid-ada'), call('GET', '/api/workspaces'))).allowed).toBe(true);
    expect((await limits.admit(request('10.0.0.2', 'valid-ada'), call('GET', '/api/workspaces'))).allowed).toBe(false);
    expect((await limits.admit(request('10.0.0.2', 'valid-bob'), call('GET', '/api/workspaces'))).allowed).toBe(true);
    // A bad token is judged by its address only; the service answers it 401.
    expect((await limits.admit(request('10.0.0.2', 'forged'), call('GET', '/api/workspaces'))).allowed).toBe(true);
    expect((await limits.admit(request('10.0.0.2', 'forged'), call('GET', '/api/workspaces'))).allowed).toBe(true);
  });

  it('gives search and file creation budgets of their own', async () => {
    const limits = setup({
      search: RuleLimiter.local('search', [{ limit: 1, windowMs: 1_000 }]),
      fileCreate: RuleLimiter.local('files', [{ limit: 1, windowMs: 60_000 }]),
    });
    const ada = request('10.0.0.1', 'valid-ada');
    expect((await limits.admit(ada, call('GET', '/api/search'))).allowed).toBe(true);
    const searchRefused = await limits.admit(ada, call('GET', '/api/search'));
    expect(searchRefused.allowed).toBe(false);
    expect(!searchRefused.allowed && searchRefused.error.message).toContain('searches');
    expect((await limits.admit(ada, call('POST', '/api/files'))).allowed).toBe(true);
    const refused = await limits.admit(ada, call('POST', '/api/files'));
    expect(refused).toMatchObject({ allowed: false, error: { code: 'rate_limited' } });
    expect(!refused.allowed && refused.error.message).toContain('uploads');
    expect((refused as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(50_000);
    // Other routes and other methods on the same paths are not counted against them.
    expect((await limits.admit(ada, call('GET', '/api/files/f-1'))).allowed).toBe(true);
    expect((await limits.admit(ada, call('GET', '/api/channels/c/messages'))).allowed).toBe(true);
  });
});
