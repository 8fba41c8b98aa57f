// The signal path and the sweeper against the real Redis (REDIS_URL or the local default), in a
// key prefix of their own; Kafka is replaced by a recording publisher that feeds the sweeper's
// signals back, as the signal topic would.
import { type PresenceChanged, type PresenceSignal } from '@chat/contracts';
import { MetricsService } from '@chat/service-kit';
import { uniqueName } from '@chat/testing';
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { PresenceSignals } from './presence-signals.service';
import { PresenceMetrics } from './presence.metrics';
import { PresenceRepository } from './presence.repository';
import { PresenceSweeper } from './presence.sweeper';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

describe('presence state in Redis (real Redis)', () => {
  /** A key space per test: the gateway and grace indexes are global within one. */
  let redis: Redis;
  const clients: Redis[] = [];
  let now = 1_000_000;
  let repository: PresenceRepository;
  let changes: PresenceChanged[];
  let looped: PresenceSignal[];
  let signals: PresenceSignals;
  let sweeper: PresenceSweeper;
  const at = (): string => new Date(now).toISOString();

  beforeEach(() => {
    redis = new Redis(REDIS_URL, { keyPrefix: `${uniqueName('presencetest')}:`, maxRetriesPerRequest: 1 });
    clients.push(redis);
    changes = [];
    looped = [];
    repository = new PresenceRepository(redis, new PresenceMetrics(new MetricsService()));
    const publisher = {
      changes: (c: readonly PresenceChanged[]) => Promise.resolve(void changes.push(...c)),
      signals: (s: readonly PresenceSignal[]) => Promise.resolve(void looped.push(...s)),
    };
    signals = new PresenceSignals({ repository, publisher, graceMs: 5_000, defaultLeaseMs: 15_000, now: () => now });
    sweeper = new PresenceSweeper({ repository, publisher, intervalMs: 1_000, now: () => now });
  });

  afterAll(async () => {
    for (const client of clients) {
      const prefix = client.options.keyPrefix ?? '';
      const keys = await client.keys(`${prefix}*`);
      if (keys.length > 0) await client.del(...keys.map((k) => k.slice(prefix.length)));
      await client.quit();
    }
  });

  const opened = (userId: string, gatewayId: string, sessionId: string, workspaceIds: string[] = []): PresenceSignal => ({
    type: 'session.opened', userId, gatewayId, sessionId, at: at(), away: false, workspaceIds,
  });

  it('expires the sessions of a gateway whose lease ended, keeping users connected elsewhere online', async () => {
    const [ada, bea] = [randomUUID(), randomUUID()];
    const workspace = randomUUID();
    const [dying, living] = [uniqueName('gw'), uniqueName('gw')];
    await signals.apply([
      { type: 'gateway.alive', gatewayId: dying, leaseMs: 3_000, at: at() },
      { type: 'gateway.alive', gatewayId: living, leaseMs: 60_000, at: at() },
      opened(ada, dying, 's1', [workspace]),
      opened(bea, dying, 's2', [workspace]),
      opened(bea, living, 's3', [workspace]),
    ]);
    expect(changes.map((c) => [c.userId, c.status, c.workspaceIds])).toEqual([[ada, 'online', [workspace]], [bea, 'online', [workspace]]]);

    now += 2_000;
    await sweeper.sweep();
    expect(looped).toEqual([]);
    now += 1_500;
    await sweeper.sweep();
    expect(looped.map((s) => (s.type === 'session.expired' ? `${s.userId} ${s.sessionId}` : s.type)).sort()).toEqual([`${ada} s1`, `${bea} s2`].sort());
    // A second sweeper (another presence instance) finds the claim taken.
    const other = new PresenceSweeper({ repository, publisher: { signals: () => Promise.reject(new Error('must not publish')) }, intervalMs: 1_000, now: () => now });
    await other.sweep();

    changes = [];
    await signals.apply(looped.splice(0));
    expect(changes.map((c) => [c.userId, c.status])).toEqual([[ada, 'offline']]);
    const [state] = await Promise.all([repository.visibleTo(bea, [ada, bea])]);
    expect(state.map((p) => [p.userId, p.status])).toEqual([[ada, 'offline'], [bea, 'online']]);

    // Its sessions gone, the dead gateway is forgotten once its claim lapses.
    now += 10_000;
    await sweeper.sweep();
    expect(await redis.zscore('gateways', dying)).toBeNull();
    expect(await redis.zscore('gateways', living)).not.toBeNull();
  });

  it('publishes offline only when the grace period ends, through one settle', async () => {
    const ada = randomUUID();
    const gw = uniqueName('gw');
    await signals.apply([{ type: 'gateway.alive', gatewayId: gw, leaseMs: 60_000, at: at() }, opened(ada, gw, 's1')]);
    await signals.apply([{ type: 'session.closed', userId: ada, gatewayId: gw, sessionId: 's1', at: at() }]);
    expect(changes.map((c) => c.status)).toEqual(['online']);
    now += 4_000;
    await sweeper.sweep();
    expect(looped).toEqual([]);
    now += 1_000;
    await sweeper.sweep();
    await sweeper.sweep();
    expect(looped).toEqual([{ type: 'user.settle', userId: ada, at: at() }]);
    await signals.apply(looped.splice(0));
    expect(changes.map((c) => c.status)).toEqual(['online', 'offline']);
    expect(await redis.zscore('offline-due', ada)).toBeNull();
  });

  it('answers GET /api/presence only about users sharing a workspace with the caller', async () => {
    const [ada, bea, cyd] = [randomUUID(), randomUUID(), randomUUID()];
    const [w1, w2] = [randomUUID(), randomUUID()];
    const joined = (userId: string, workspaceId: string) => ({ userId, workspaceId, change: 'joined' as const, at: now });
    await repository.applyWorkspaceChanges([joined(ada, w1), joined(bea, w1), joined(bea, w2), joined(cyd, w2)]);
    const visible = await repository.visibleTo(ada, [bea, cyd, ada, randomUUID()]);
    expect(visible).toEqual([
      { userId: bea, status: 'offline', lastSeenAt: null },
      { userId: ada, status: 'offline', lastSeenAt: null },
    ]);
  });

  it('stops sharing presence when a user leaves a workspace; an older join (a replay) or a handshake report does not undo it, a later join does', async () => {
    const [ada, bea] = [randomUUID(), randomUUID()];
    const workspace = randomUUID();
    const change = (userId: string, kind: 'joined' | 'left', time: number) => ({ userId, workspaceId: workspace, change: kind, at: time });
    const sees = async (): Promise<boolean> => (await repository.visibleTo(ada, [bea])).length === 1;
    await repository.applyWorkspaceChanges([change(ada, 'joined', now - 5_000), change(bea, 'joined', now - 5_000)]);
    expect(await sees()).toBe(true);

    await repository.applyWorkspaceChanges([change(bea, 'left', now)]);
    expect(await sees()).toBe(false);
    // A channel join of that workspace from before the leave, read after it (the two topics are not ordered).
    await repository.applyWorkspaceChanges([change(bea, 'joined', now - 1_000)]);
    expect(await sees()).toBe(false);
    // A gateway that fetched bea's memberships before the removal reports them with a session.
    await signals.apply([opened(bea, uniqueName('gw'), 's1', [workspace])]);
    expect(await sees()).toBe(false);

    await repository.applyWorkspaceChanges([change(bea, 'joined', now + 1_000)]);
    expect(await sees()).toBe(true);
  });
});
