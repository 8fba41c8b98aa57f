// Open sockets follow their session: a socket whose access token expired without an
// `auth:refresh` is cut after a short grace, and logout, sign out everywhere and a password change
// cut the sockets of the ended sessions on every gateway within seconds (auth publishes
// chat.auth.session-revoked.v1; every gateway consumes it). Each cut is announced with
// `session:closed` {code: 'unauthorized'} before the server disconnects.
//
// Auth runs with 20-second access tokens and the gateways with a 2-second grace, so expiry is
// seen without waiting 15 minutes; the revocation tests finish well within a token's lifetime.
import { type AuthSession } from '@chat/contracts';
import { sleep, waitFor } from '@chat/testing';
import { ChatUser, Device, http, jwtPayload, refusedHandshake } from '../support/chat-client';
import { TestSystem } from '../support/test-system';

const TOKEN_TTL_SECONDS = 20;
const GRACE_MS = 2_000;
const PASSWORD = 'correct horse battery staple';
/** "Within seconds": how long a revocation may take to reach every socket. */
const REVOCATION_DEADLINE_MS = 10_000;

describe('sessions on open sockets', () => {
  let system: TestSystem;
  let gateways: [string, string];
  const devices: Device[] = [];

  beforeAll(async () => {
    system = await TestSystem.start({
      services: ['auth', 'messaging', 'gateway'],
      gateways: 2,
      env: { auth: { AUTH_ACCESS_TOKEN_TTL_SECONDS: String(TOKEN_TTL_SECONDS) }, gateway: { SOCKET_TOKEN_GRACE_MS: String(GRACE_MS) } },
    });
    gateways = [system.gatewayUrl(0), system.gatewayUrl(1)];
  }, 240_000);

  afterAll(async () => {
    for (const device of devices) device.close();
    await system?.stop();
    await system?.dropData();
  });

  /** Another session of the user (a sign-in on another device). */
  async function login(user: ChatUser): Promise<AuthSession> {
    const answer = await http<AuthSession>(gateways[0], 'POST', '/auth/login', { body: { username: user.username, password: PASSWORD } });
    if (answer.status !== 200) throw new Error(`login: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  async function open(user: ChatUser, gateway: string, token: string, name: string): Promise<Device> {
    const device = new Device(name, user, gateway);
    await device.open(token);
    devices.push(device);
    return device;
  }

  async function waitCut(device: Device): Promise<void> {
    await waitFor(`${device.name} to be cut`, () => !device.connected, REVOCATION_DEADLINE_MS, 50);
    expect(device.sessionClosed).toEqual([{ code: 'unauthorized', message: expect.any(String) as string }]);
    expect(device.disconnects).toEqual(['io server disconnect']);
  }

  function expectOpen(device: Device): void {
    expect({ device: device.name, connected: device.connected, closed: device.sessionClosed }).toEqual({ device: device.name, connected: true, closed: [] });
  }

  it('cuts a socket whose token expired without auth:refresh, and keeps one that handed over a new token', async () => {
    const user = await ChatUser.register(gateways[0], 'expiring');
    await user.createWorkspace();
    const stale = await open(user, gateways[0], user.accessToken, 'stale');
    const kept = await open(user, gateways[1], user.accessToken, 'kept');
    const { exp } = jwtPayload(user.accessToken);

    // Token times are whole seconds: a token issued within the same second as the first would
    // expire with it, and the kept socket would rightly be cut too. Refresh in a later second.
    await sleep(1_000 - (Date.now() % 1_000) + 50);
    await user.refresh();
    expect(jwtPayload(user.accessToken).exp).toBeGreaterThan(exp);
    expect(await kept.raw('auth:refresh', [{ token: user.accessToken }])).toEqual({ ok: true });

    await sleep(Math.max(0, exp * 1000 - Date.now() - 1_000));
    expectOpen(stale);
    await waitFor('the stale socket to be cut after expiry and grace', () => !stale.connected, GRACE_MS + 10_000, 50);
    expect(Date.now()).toBeGreaterThanOrEqual(exp * 1000 + GRACE_MS);
    expect(stale.sessionClosed).toEqual([{ code: 'unauthorized', message: expect.stringContaining('expired') as string }]);
    expectOpen(kept);
  });

  it('logout cuts the sockets of that session on both gateways and refuses its tokens; other sessions stay', async () => {
    const user = await ChatUser.register(gateways[0], 'leaving');
    await user.createWorkspace();
    const other = await login(user);
    const a0 = await open(user, gateways[0], user.accessToken, 'a@gw0');
    const a1 = await open(user, gateways[1], user.accessToken, 'a@gw1');
    const b1 = await open(user, gateways[1], other.accessToken, 'b@gw1');

    expect((await http(gateways[0], 'POST', '/auth/logout', { body: { refreshToken: user.refreshToken } })).status).toBe(204);
    await Promise.all([waitCut(a0), waitCut(a1)]);
    expect(a0.sessionClosed[0]?.message).toContain('logout');
    // The session's access token, still within its lifetime, no longer opens a socket anywhere.
    for (const gateway of gateways) await expect(refusedHandshake(gateway, user.accessToken)).resolves.toMatchObject({ message: 'unauthorized' });
    expectOpen(b1);
  });

  it('sign out everywhere cuts every session of the user on both gateways, and no one else', async () => {
    const user = await ChatUser.register(gateways[0], 'everywhere');
    const bystander = await ChatUser.register(gateways[0], 'bystander');
    await user.createWorkspace();
    const other = await login(user);
    const cut = [
      await open(user, gateways[0], user.accessToken, 'a@gw0'),
      await open(user, gateways[1], other.accessToken, 'b@gw1'),
      await open(user, gateways[0], other.accessToken, 'b@gw0'),
    ];
    const unrelated = await open(bystander, gateways[1], bystander.accessToken, 'bystander@gw1');

    expect((await user.request('POST', '/auth/sign-out-everywhere')).status).toBe(204);
    await Promise.all(cut.map(waitCut));
    expect((await http(gateways[0], 'POST', '/auth/refresh', { body: { refreshToken: other.refreshToken } })).status).toBe(401);
    expect((await http(gateways[0], 'POST', '/auth/refresh', { body: { refreshToken: user.refreshToken } })).status).toBe(401);
    expectOpen(unrelated);
  });

  it('a password change cuts every socket of the user on both gateways; the new session connects', async () => {
    const user = await ChatUser.register(gateways[0], 'changing');
    await user.createWorkspace();
    const other = await login(user);
    const cut = [await open(user, gateways[0], user.accessToken, 'a@gw0'), await open(user, gateways[1], other.accessToken, 'b@gw1')];

    const wrong = await user.request('POST', '/auth/password', { currentPassword: 'not it at all', newPassword: 'a brand new passphrase' });
    expect(wrong.status).toBe(403);
    const changed = await user.request<AuthSession>('POST', '/auth/password', { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' });
    expect(changed.status).toBe(200);
    await Promise.all(cut.map(waitCut));
    expect(cut[0]?.sessionClosed[0]?.message).toContain('password-changed');

    const fresh = await open(user, gateways[1], changed.body.accessToken, 'fresh@gw1');
    expectOpen(fresh);
    expect((await http(gateways[0], 'POST', '/auth/login', { body: { username: user.username, password: PASSWORD } })).status).toBe(401);
  });
});
