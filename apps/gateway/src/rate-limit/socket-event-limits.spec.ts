import { type Ack } from '@chat/contracts';
import { MetricsService } from '@chat/service-kit';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import { type SocketBudget } from './gateway-limits';
import { RuleLimiter, type Limiter, type RateDecision } from './rule-limiter';
import { SocketEventLimits } from './socket-event-limits';

function limiters(overrides: Partial<Record<SocketBudget, Limiter>> = {}): Record<SocketBudget, Limiter> {
  const open = RuleLimiter.local('open', [{ limit: 1_000, windowMs: 1_000 }]);
  return { send: open, change: open, read: open, sync: open, event: open, ...overrides };
}

/** The limits over these budgets, and the refusals they counted (gateway_rate_limited_total's labels). */
function setup(overrides: Partial<Record<SocketBudget, Limiter>> = {}) {
  const metrics = new GatewayMetrics(new MetricsService());
  const refused = jest.spyOn(metrics.rateLimited, 'inc');
  const limits = new SocketEventLimits({ socketEvents: limiters(overrides) }, metrics);
  return { limits, refused: () => refused.mock.calls.map(([labels]) => labels) };
}

/** Runs packets through one socket's middleware; resolves with the events let through, in order. */
async function run(limits: SocketEventLimits, packets: unknown[][]) {
  const middleware = limits.forSocket('alice');
  const passed: string[] = [];
  for (const packet of packets) middleware(packet, () => passed.push(String(packet[0])));
  await new Promise((resolve) => setTimeout(resolve, 50));
  return { passed };
}

describe('SocketEventLimits', () => {
  it('answers rate_limited with retryAfterMs once the budget is spent, and lets other budgets through', async () => {
    const { limits, refused } = setup({ change: RuleLimiter.local('change', [{ limit: 2, windowMs: 1_000 }]) });
    const acks: Ack[] = [];
    const ack = (answer: Ack) => acks.push(answer);
    const { passed } = await run(limits, [
      ['message:edit', {}, ack],
      ['reaction:add', {}, ack],
      ['message:delete', {}, ack],
      ['read', {}, ack],
      ['typing', {}],
    ]);
    expect(passed).toEqual(['message:edit', 'reaction:add', 'read', 'typing']);
    expect(acks).toHaveLength(1);
    expect(acks[0]).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    expect(!acks[0]?.ok && acks[0]?.error.message).toContain('retry in 1 s');
    expect((acks[0] as { error: { retryAfterMs: number } }).error.retryAfterMs).toBeGreaterThan(0);
    expect(refused()).toEqual([{ limit: 'socket-change' }]);
  });

  it('lets a socket\'s events through in the order they came, however long each decision takes', async () => {
    const slow: Limiter = { consume: () => new Promise<RateDecision>((resolve) => setTimeout(() => resolve({ allowed: true }), 10)) };
    const { limits } = setup({ change: slow });
    const { passed } = await run(limits, [['message:edit', {}], ['message:send', {}], ['read', {}]]);
    expect(passed).toEqual(['message:edit', 'message:send', 'read']);
  });

  it('does not count budgets counted elsewhere, and passes unknown events on to the pipeline', async () => {
    const consume = jest.fn(() => Promise.resolve<RateDecision>({ allowed: false, retryAfterMs: 5 }));
    const { limits } = setup({ send: { consume } });
    const { passed } = await run(limits, [['message:send', {}], ['nonsense', {}], ['constructor', {}]]);
    expect(passed).toEqual(['nonsense', 'constructor', 'message:send']);
    expect(consume).not.toHaveBeenCalled();
  });
});
