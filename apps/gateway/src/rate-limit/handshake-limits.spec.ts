import { type IncomingMessage } from 'node:http';
import { type Socket } from 'node:net';
import { MetricsService } from '@chat/service-kit';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import { HandshakeLimits } from './handshake-limits';
import { type Limiter, RuleLimiter } from './rule-limiter';

const from = (peer: string): Pick<IncomingMessage, 'headers' | 'socket'> => ({ headers: {}, socket: { remoteAddress: peer } as Socket });

describe('HandshakeLimits', () => {
  const open = RuleLimiter.local('open', [{ limit: 1_000, windowMs: 1_000 }]);
  const setup = (limiters: { handshakeByAddress: Limiter; handshakeByUser: Limiter }, socketsPerUser: number, openSockets: (userId: string) => number) => {
    const metrics = new GatewayMetrics(new MetricsService());
    const refused = jest.spyOn(metrics.rateLimited, 'inc');
    const limits = new HandshakeLimits(limiters, { SOCKETS_PER_USER: socketsPerUser, TRUST_PROXY: 0 }, { openSocketsOf: openSockets }, metrics);
    return { limits, refused: () => refused.mock.calls.map(([labels]) => labels) };
  };

  it('refuses an address over its budget with a rate_limited connect error', async () => {
    const { limits, refused } = setup({ handshakeByAddress: RuleLimiter.local('a', [{ limit: 1, windowMs: 10_000 }]), handshakeByUser: open }, 5, () => 0);
    await expect(limits.beforeAuth(from('10.0.0.1'))).resolves.toBeUndefined();
    const refusal = await limits.beforeAuth(from('10.0.0.1')).catch((error: unknown) => error);
    expect(refusal).toMatchObject({ message: 'rate_limited', data: { code: 'rate_limited' } });
    expect((refusal as { data: { retryAfterMs: number } }).data.retryAfterMs).toBeGreaterThan(5_000);
    await expect(limits.beforeAuth(from('10.0.0.2'))).resolves.toBeUndefined();
    expect(refused()).toEqual([{ limit: 'handshake-address' }]);
  });

  it('refuses a user with too many open sockets or too many handshakes', async () => {
    const sockets = new Map([['ada', 3]]);
    const { limits, refused } = setup({ handshakeByAddress: open, handshakeByUser: RuleLimiter.local('u', [{ limit: 1, windowMs: 10_000 }]) }, 3, (id) => sockets.get(id) ?? 0);
    const refusal = await limits.afterAuth('ada').catch((error: unknown) => error as { message: string; data: { message: string } });
    expect(refusal?.message).toBe('rate_limited');
    expect(refusal?.data.message).toContain('at most 3');
    await expect(limits.afterAuth('bob')).resolves.toBeUndefined();
    await expect(limits.afterAuth('bob')).rejects.toMatchObject({ message: 'rate_limited' });
    expect(refused()).toEqual([{ limit: 'handshake-sockets' }, { limit: 'handshake-user' }]);
  });
});
