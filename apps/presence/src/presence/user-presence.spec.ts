import { type PresenceSignal } from '@chat/contracts';
import { applySignals, emptyRecord, liveStatus, splitSessionKey, type UserRecord, type UserSignal } from './user-presence';

const USER = '0b9b5f5e-4d8e-4a4b-9a51-2f6c1c0e7d10';
const AT = '2026-01-01T00:00:00.000Z';
const GRACE = 5_000;

type SessionType = Exclude<PresenceSignal['type'], 'gateway.alive' | 'user.settle'>;
function signal(type: SessionType, sessionId: string, gatewayId = 'gw-1', at = AT): UserSignal {
  const base = { userId: USER, gatewayId, sessionId, at };
  return type === 'session.opened' ? { type, ...base, away: false, workspaceIds: [] } : { type, ...base };
}
const settle: UserSignal = { type: 'user.settle', userId: USER, at: AT };

describe('the presence status rule', () => {
  it('is online while any session is active, away when all are away, offline with none', () => {
    expect(liveStatus(new Map())).toBe('offline');
    expect(liveStatus(new Map([['g/a', 'away'], ['g/b', 'active']]))).toBe('online');
    expect(liveStatus(new Map([['g/a', 'away'], ['g/b', 'away']]))).toBe('away');
  });

  it('publishes online once for several devices, and nothing while one of them remains', () => {
    const first = applySignals(emptyRecord(), [signal('session.opened', 'a'), signal('session.opened', 'b', 'gw-2')], 1_000, GRACE);
    expect(first.change).toEqual({ status: 'online', lastSeenAt: new Date(1_000).toISOString() });
    const oneLeft = applySignals(first.record, [signal('session.closed', 'a')], 2_000, GRACE);
    expect(oneLeft.change).toBeNull();
    expect([...oneLeft.record.sessions.keys()]).toEqual(['gw-2/b']);
  });

  it('waits for the grace period before offline, and a reconnect inside it changes nothing', () => {
    const online = applySignals(emptyRecord(), [signal('session.opened', 'a')], 0, GRACE).record;
    const gone = applySignals(online, [signal('session.closed', 'a', 'gw-1', '2026-01-01T00:00:01.000Z')], 1_000, GRACE);
    expect(gone.change).toBeNull();
    expect(gone.record).toMatchObject({ status: 'online', offlineDueAt: 6_000 });
    const early = applySignals(gone.record, [settle], 5_999, GRACE);
    expect(early.change).toBeNull();
    const back = applySignals(gone.record, [signal('session.opened', 'b')], 3_000, GRACE);
    expect(back.change).toBeNull();
    expect(back.record.offlineDueAt).toBeNull();
    const due = applySignals(gone.record, [settle], 6_000, GRACE);
    expect(due.change).toEqual({ status: 'offline', lastSeenAt: '2026-01-01T00:00:01.000Z' });
    expect(due.record).toMatchObject({ status: 'offline', offlineDueAt: null });
    expect(applySignals(due.record, [settle], 7_000, GRACE).change).toBeNull();
  });

  it('turns offline at once when the last session expired with its gateway (the lease was the wait)', () => {
    const online = applySignals(emptyRecord(), [signal('session.opened', 'a')], 0, GRACE).record;
    expect(applySignals(online, [signal('session.expired', 'a')], 20_000, GRACE).change).toMatchObject({ status: 'offline' });
  });

  it('coalesces a flicker inside one batch into no change at all', () => {
    const online = applySignals(emptyRecord(), [signal('session.opened', 'a')], 0, GRACE).record;
    const flicker = [signal('session.closed', 'a'), signal('session.opened', 'b'), signal('session.away', 'b'), signal('session.active', 'b')];
    expect(applySignals(online, flicker, 10, GRACE).change).toBeNull();
  });

  it('goes away and back, and ignores a state change of a session already closed', () => {
    const online = applySignals(emptyRecord(), [signal('session.opened', 'a')], 0, GRACE).record;
    const away = applySignals(online, [signal('session.away', 'a')], 10, GRACE);
    expect(away.change?.status).toBe('away');
    expect(applySignals(away.record, [signal('session.active', 'a')], 20, GRACE).change?.status).toBe('online');
    const late = applySignals(online, [signal('session.closed', 'a'), signal('session.active', 'a')], 30, 0);
    expect(late.change?.status).toBe('offline');
    expect(late.record.sessions.size).toBe(0);
  });

  it('publishes offline immediately with no grace period configured', () => {
    const online: UserRecord = { ...emptyRecord(), status: 'online', sessions: new Map([['gw/a', 'active']]) };
    expect(applySignals(online, [signal('session.closed', 'a', 'gw')], 100, 0).change).toMatchObject({ status: 'offline' });
  });

  it('splits session keys at the last slash', () => {
    expect(splitSessionKey('gateway-host/1/abc')).toEqual({ gatewayId: 'gateway-host/1', sessionId: 'abc' });
  });
});
