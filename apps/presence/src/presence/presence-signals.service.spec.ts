import { type PresenceChanged, type PresenceSignal } from '@chat/contracts';
import { PresenceSignals } from './presence-signals.service';
import { type StoredUser, type UserWrite } from './presence.repository';
import { emptyRecord } from './user-presence';

const ADA = '0b9b5f5e-4d8e-4a4b-9a51-2f6c1c0e7d10';
const BEA = '7b0c7a4e-1c9b-4a57-9a8c-3f0f2a9d6c11';
const W1 = '3e4f1c2a-5b6d-4e7f-8a9b-0c1d2e3f4a5b';
const W2 = '9a0e1f3c-2b4d-4c6e-8f10-1a2b3c4d5e6f';
const AT = '2026-01-01T00:00:00.000Z';

/** An in-memory repository: what was saved is what the next batch loads. */
class FakeRepository {
  readonly users = new Map<string, StoredUser>();
  readonly leases = new Map<string, number>();
  loads = 0;
  saves = 0;
  loadUsers(ids: readonly string[]): Promise<Map<string, StoredUser>> {
    this.loads++;
    return Promise.resolve(new Map(ids.map((id) => [id, this.users.get(id) ?? { record: emptyRecord(), workspaceIds: [] }])));
  }
  saveUsers(writes: readonly UserWrite[]): Promise<void> {
    this.saves++;
    for (const w of writes) this.users.set(w.userId, { record: w.after, workspaceIds: [...(this.users.get(w.userId)?.workspaceIds ?? []), ...w.workspaceIds] });
    return Promise.resolve();
  }
  renewLeases(leases: ReadonlyMap<string, number>): Promise<void> {
    for (const [k, v] of leases) this.leases.set(k, v);
    return Promise.resolve();
  }
}

function setup() {
  const repository = new FakeRepository();
  const published: PresenceChanged[] = [];
  const signals = new PresenceSignals({
    repository,
    publisher: { changes: (c) => Promise.resolve(void published.push(...c)) },
    graceMs: 5_000,
    defaultLeaseMs: 15_000,
    now: () => 1_000,
  });
  return { repository, published, signals };
}

const opened = (userId: string, sessionId: string, workspaceIds: string[]): PresenceSignal => ({ type: 'session.opened', userId, gatewayId: 'gw', sessionId, at: AT, away: false, workspaceIds });
const closed = (userId: string, sessionId: string): PresenceSignal => ({ type: 'session.closed', userId, gatewayId: 'gw', sessionId, at: AT });

describe('PresenceSignals', () => {
  it('publishes one change per user per batch, with the workspaces reported at handshake', async () => {
    const { published, signals, repository } = setup();
    await signals.apply([opened(ADA, 's1', [W1]), opened(ADA, 's2', [W1, W2]), opened(BEA, 's3', [W2]), closed(ADA, 's1')]);
    expect(published).toEqual([
      { userId: ADA, status: 'online', lastSeenAt: new Date(1_000).toISOString(), workspaceIds: [W1, W2] },
      { userId: BEA, status: 'online', lastSeenAt: new Date(1_000).toISOString(), workspaceIds: [W2] },
    ]);
    expect([repository.loads, repository.saves]).toEqual([1, 1]);
  });

  it('publishes nothing for a flicker of one of several devices', async () => {
    const { published, signals } = setup();
    await signals.apply([opened(ADA, 's1', [W1]), opened(ADA, 's2', [W1])]);
    published.length = 0;
    for (let i = 0; i < 20; i++) await signals.apply([closed(ADA, 's2'), opened(ADA, 's2', [W1])]);
    expect(published).toEqual([]);
  });

  it('only renews leases for a batch of heartbeats, without touching users', async () => {
    const { repository, signals } = setup();
    await signals.apply([{ type: 'gateway.alive', gatewayId: 'gw', leaseMs: 3_000, at: AT }, { type: 'gateway.alive', gatewayId: 'gw', leaseMs: 9_000, at: AT }]);
    expect(repository.leases.get('gw')).toBe(10_000);
    expect(repository.loads).toBe(0);
  });
});
