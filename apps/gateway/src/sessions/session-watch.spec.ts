import { type ErrorDetail } from '@chat/contracts';
import { MetricsService } from '@chat/service-kit';
import { Clock } from '../common/clock';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import { RevokedSessions } from '../socket/revoked-sessions';
import { SessionWatch, type WatchedSocket } from './session-watch';

const ALICE = '0b9b5f5e-4d8e-4a4b-9a51-2f6c1c0e7d10';
const PHONE = '5d6e7f80-1a2b-4c3d-8e9f-0a1b2c3d4e5f';
const LAPTOP = '6e7f8091-2b3c-4d4e-9fa0-1b2c3d4e5f60';
const T0 = Date.parse('2030-01-01T00:00:00.000Z');

/** An unsigned JWT with these claims: the watch only reads tokens that were verified before. */
function token(claims: Record<string, unknown>): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'EdDSA' })}.${part({ sub: ALICE, ...claims })}.sig`;
}

class FakeSocket implements WatchedSocket {
  readonly events: ErrorDetail[] = [];
  disconnected = false;
  private onDisconnect: (() => void) | undefined;

  constructor(
    readonly id: string,
    public data: { user: { id: string }; token: string },
  ) {}

  emit(_event: 'session:closed', error: ErrorDetail): void {
    this.events.push(error);
  }

  disconnect(): void {
    this.disconnected = true;
    this.onDisconnect?.();
  }

  once(_event: 'disconnect', listener: () => void): void {
    this.onDisconnect = listener;
  }
}

describe('SessionWatch', () => {
  let sockets: FakeSocket[];
  let watch: SessionWatch;
  let closes: () => string[];

  beforeEach(() => {
    jest.useFakeTimers({ now: T0 });
    sockets = [];
    const metrics = new GatewayMetrics(new MetricsService());
    const closed = jest.spyOn(metrics.sessionsClosed, 'inc');
    closes = () => closed.mock.calls.map(([labels]) => (labels as { reason: string }).reason);
    // The real clock: jest's fake timers set Date.now.
    const clock = new Clock();
    watch = new SessionWatch(
      { SOCKET_TOKEN_GRACE_MS: 10_000 },
      new RevokedSessions({ REVOKED_SESSIONS_RETAIN_MS: 3_600_000 }, clock),
      { localSocketsOf: (userId) => sockets.filter((s) => s.data.user.id === userId && !s.disconnected) },
      metrics,
      clock,
    );
  });

  afterEach(() => jest.useRealTimers());

  const connect = (claims: Record<string, unknown>, id = `s${sockets.length}`) => {
    const socket = new FakeSocket(id, { user: { id: ALICE }, token: token(claims) });
    sockets.push(socket);
    watch.watch(socket);
    return socket;
  };
  const exp = (secondsFromT0: number) => Math.floor(T0 / 1000) + secondsFromT0;

  it('disconnects a socket with unauthorized once its token expired and the grace passed', () => {
    const socket = connect({ exp: exp(60), iat: exp(0), sid: PHONE });
    jest.advanceTimersByTime(69_000);
    expect(socket.disconnected).toBe(false);
    jest.advanceTimersByTime(1_000);
    expect(socket.disconnected).toBe(true);
    expect(socket.events).toEqual([{ code: 'unauthorized', message: expect.stringContaining('expired') as string }]);
    expect(closes()).toEqual(['expired']);
    expect(watch.watching).toBe(0);
  });

  it('keeps a socket whose token was replaced (auth:refresh) before the deadline, until the new one runs out', () => {
    const socket = connect({ exp: exp(60), iat: exp(0), sid: PHONE });
    jest.advanceTimersByTime(50_000);
    socket.data.token = token({ exp: exp(960), iat: exp(50), sid: PHONE });
    jest.advanceTimersByTime(100_000);
    expect(socket.disconnected).toBe(false);
    jest.advanceTimersByTime(820_000);
    expect(socket.disconnected).toBe(true);
  });

  it('closes at once a socket whose token is already past its grace, or unreadable', () => {
    const old = connect({ exp: exp(-11), iat: exp(-100), sid: PHONE });
    const junk = new FakeSocket('junk', { user: { id: ALICE }, token: 'not-a-jwt' });
    watch.watch(junk);
    expect(old.disconnected).toBe(true);
    expect(junk.disconnected).toBe(true);
  });

  it('closes only the sockets of the revoked session, and remembers it', () => {
    const phone = connect({ exp: exp(900), iat: exp(0), sid: PHONE });
    const laptop = connect({ exp: exp(900), iat: exp(0), sid: LAPTOP });
    expect(watch.revoke({ userId: ALICE, sessionIds: [PHONE], reason: 'logout', revokedAt: new Date(T0).toISOString() })).toBe(1);
    expect(phone.disconnected).toBe(true);
    expect(phone.events[0]).toEqual({ code: 'unauthorized', message: expect.stringContaining('logout') as string });
    expect(laptop.disconnected).toBe(false);
    expect(closes()).toEqual(['revoked']);
    // A token of the revoked session handed over later (auth:refresh) is caught at the next check,
    // at the latest when the token it replaced would have run out.
    laptop.data.token = token({ exp: exp(3_600), iat: exp(0), sid: PHONE });
    jest.advanceTimersByTime(910_000);
    expect(laptop.disconnected).toBe(true);
    expect(laptop.events[0]?.message).toContain('signed out');
  });

  it('closes tokens without a session id on a user-wide revocation when they are older than it', () => {
    const legacy = connect({ exp: exp(900), iat: exp(0) });
    expect(watch.revoke({ userId: ALICE, sessionIds: [LAPTOP], reason: 'logout', revokedAt: new Date(T0 + 1_000).toISOString() })).toBe(0);
    expect(watch.revoke({ userId: ALICE, sessionIds: [LAPTOP], reason: 'password-changed', revokedAt: new Date(T0 + 1_000).toISOString() })).toBe(1);
    expect(legacy.disconnected).toBe(true);
  });
});
