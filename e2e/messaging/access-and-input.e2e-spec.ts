// Who may read and write what, and what a client cannot break: a non-member can neither read,
// send to nor sync a channel it does not belong to; forged and expired access tokens and reused
// refresh tokens are refused; bad socket input is answered with the protocol's error code, stores
// nothing and never closes the connection; a flood of sends is answered `rate_limited`.
//
// Auth runs with 2-second access tokens (so that expiry can be seen without waiting 15 minutes):
// every user of this file renews its token through /auth/refresh before a call when it is older
// than a second. The gateway keeps its default send limit (20/1s, 50/5s).
import { randomUUID } from 'node:crypto';
import { type Channel, type ErrorBody, type Message } from '@chat/contracts';
import { sleep, waitFor } from '@chat/testing';
import { ChatUser, type Device, forgeJwt, http, jwtPayload, refusedHandshake } from '../support/chat-client';
import { TestSystem } from '../support/test-system';

const TOKEN_TTL_SECONDS = 2;
/** JwtVerifier's default clock tolerance. */
const CLOCK_TOLERANCE_SECONDS = 5;

describe('access and input', () => {
  let system: TestSystem;
  let gateway: string;
  let owner: ChatUser;
  /** A member of the workspace (and of #general), of neither `privateChannel` nor `publicChannel`. */
  let outsider: ChatUser;
  /** Not a member of the workspace at all. */
  let stranger: ChatUser;
  let workspaceId: string;
  let general: string;
  let privateChannel: Channel;
  let publicChannel: Channel;
  let ownerDevice: Device;

  /** Every user with devices, so that afterAll closes them all. */
  const users: ChatUser[] = [];
  const register = async (prefix: string): Promise<ChatUser> => {
    const user = await ChatUser.register(gateway, prefix, { renewAfterMs: 1_000 });
    users.push(user);
    return user;
  };

  beforeAll(async () => {
    system = await TestSystem.start({
      services: ['auth', 'messaging', 'gateway'],
      // Sockets here outlive their 2-second tokens on purpose (the file is about access checks and
      // input, not session lifetimes: e2e/auth/sessions.e2e-spec.ts is).
      env: { auth: { AUTH_ACCESS_TOKEN_TTL_SECONDS: String(TOKEN_TTL_SECONDS) }, gateway: { SOCKET_TOKEN_GRACE_MS: '600000' } },
    });
    gateway = system.gatewayUrl(0);
    owner = await register('owner');
    outsider = await register('outsider');
    stranger = await register('stranger');
    const created = await owner.createWorkspace();
    workspaceId = created.workspace.id;
    general = created.general.id;
    await owner.addToWorkspace(workspaceId, outsider);
    privateChannel = await owner.createChannel(workspaceId, { name: 'secret', private: true });
    publicChannel = await owner.createChannel(workspaceId, { name: 'open' });
    ownerDevice = await owner.connect(gateway);
    await ownerDevice.sendOk(privateChannel.id, 'for members only');
    await ownerDevice.sendOk(publicChannel.id, 'members of #open only');
  }, 240_000);

  afterAll(async () => {
    for (const user of users) for (const device of user.devices) device.close();
    await system?.stop();
    await system?.dropData();
  }, 120_000);

  function expectError(answer: { status: number; body: unknown }, status: number, code: string): void {
    expect({ status: answer.status, code: (answer.body as ErrorBody | undefined)?.error?.code }).toEqual({ status, code });
  }

  describe('a non-member', () => {
    it('cannot read the history of a channel: not_found when private or outside their workspaces, forbidden when public', async () => {
      expect((await owner.historyPage(privateChannel.id, 'limit=50')).status).toBe(200);
      expectError(await outsider.historyPage(privateChannel.id, 'limit=50'), 404, 'not_found');
      expectError(await outsider.historyPage(privateChannel.id, 'after=0&limit=50'), 404, 'not_found');
      expectError(await outsider.historyPage(publicChannel.id, 'limit=50'), 403, 'forbidden');
      expectError(await stranger.historyPage(publicChannel.id, 'limit=50'), 404, 'not_found');
      expectError(await stranger.historyPage(privateChannel.id, 'limit=50'), 404, 'not_found');
      expectError(await outsider.historyPage(randomUUID(), 'limit=50'), 404, 'not_found');
    });

    it('cannot send to it, and nothing is stored or delivered', async () => {
      const before = { secret: await owner.history(privateChannel.id), open: await owner.history(publicChannel.id) };
      const receivedBefore = ownerDevice.received.length;
      const device = await outsider.connect(gateway);
      const strangerDevice = await stranger.connect(gateway);

      expect(await device.send({ channelId: privateChannel.id, text: 'let me in' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
      expect(await device.send({ channelId: publicChannel.id, text: 'let me in' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(await strangerDevice.send({ channelId: publicChannel.id, text: 'let me in' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
      expect(await strangerDevice.send({ channelId: privateChannel.id, text: 'let me in' })).toMatchObject({ ok: false, error: { code: 'not_found' } });

      // Nothing stored; and the members' own messages do not reach non-members.
      await ownerDevice.sendOk(privateChannel.id, 'still private');
      await ownerDevice.sendOk(general, 'to everyone in the workspace');
      await device.waitForCount(general, 1);
      await waitFor('the owner to receive both', () => ownerDevice.received.length >= receivedBefore + 2);
      await sleep(500);
      expect((await owner.history(privateChannel.id)).slice(0, -1)).toEqual(before.secret);
      expect(await owner.history(publicChannel.id)).toEqual(before.open);
      expect(device.messagesOf(privateChannel.id)).toEqual([]);
      expect(strangerDevice.received).toEqual([]);
      expect(ownerDevice.received.slice(receivedBefore).map((r) => r.message.text)).toEqual(['still private', 'to everyone in the workspace']);
      device.close();
      strangerDevice.close();
    });

    it('cannot sync it', async () => {
      const device = await outsider.connect(gateway);
      expect(await device.sync({ channels: [{ channelId: privateChannel.id, afterSeq: 0 }] })).toMatchObject({ ok: false, error: { code: 'not_found' } });
      expect(await device.sync({ channels: [{ channelId: publicChannel.id, afterSeq: 0 }] })).toMatchObject({ ok: false, error: { code: 'not_found' } });
      // One unreadable channel fails the whole call: nothing leaks alongside a readable one.
      expect(await device.sync({ channels: [{ channelId: general, afterSeq: 0 }, { channelId: privateChannel.id, afterSeq: 0 }] })).toMatchObject({
        ok: false,
        error: { code: 'not_found' },
      });
      const readable = await device.sync({ channels: [{ channelId: general, afterSeq: 0 }] });
      expect(readable).toMatchObject({ ok: true, hasMore: false });
      expect(readable.ok && readable.messages.every((m: Message) => m.channelId === general)).toBe(true);
      device.close();
    });
  });

  describe('tokens', () => {
    it('refuses an access token whose payload was altered (its signature no longer matches), on REST and on the socket', async () => {
      const token = await outsider.token();
      // Control: the untouched token works on both.
      expect((await http(gateway, 'GET', '/auth/me', { token })).status).toBe(200);
      const control = await outsider.connect(gateway);
      control.close();

      const forgeries = {
        impersonation: forgeJwt(token, (p) => ({ ...p, sub: owner.id, username: owner.username })),
        'longer life': forgeJwt(token, (p) => ({ ...p, exp: Number(p.exp) + 86_400 })),
        'alg none': `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${token.split('.')[1]}.`,
      };
      const answer = (a: { status: number; body: unknown }): string => `${a.status} ${(a.body as ErrorBody | undefined)?.error?.code}`;
      for (const [name, forged] of Object.entries(forgeries)) {
        expect(forged).not.toBe(token);
        expect({
          name,
          me: answer(await http(gateway, 'GET', '/auth/me', { token: forged })),
          history: answer(await http(gateway, 'GET', `/api/channels/${privateChannel.id}/messages`, { token: forged })),
          workspaces: answer(await http(gateway, 'GET', '/api/workspaces', { token: forged })),
          socket: await refusedHandshake(gateway, forged),
        }).toEqual({
          name,
          me: '401 unauthorized',
          history: '401 unauthorized',
          workspaces: '401 unauthorized',
          socket: { message: 'unauthorized', data: { code: 'unauthorized', message: expect.any(String) as string } },
        });
      }
    });

    it('refuses an expired access token on REST and on the socket', async () => {
      const user = await ChatUser.register(gateway, 'expiring');
      const token = user.accessToken;
      const { exp } = jwtPayload(token);
      expect(exp - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(TOKEN_TTL_SECONDS);
      expect((await http(gateway, 'GET', '/auth/me', { token })).status).toBe(200);
      expect((await http(gateway, 'GET', '/api/workspaces', { token })).status).toBe(200);

      // Past its expiry and the verifiers' clock tolerance.
      const expiredAt = (exp + CLOCK_TOLERANCE_SECONDS) * 1000 + 500;
      await sleep(Math.max(0, expiredAt - Date.now()));
      expectError(await http(gateway, 'GET', '/auth/me', { token }), 401, 'unauthorized');
      expectError(await http(gateway, 'GET', '/api/workspaces', { token }), 401, 'unauthorized');
      expect(await refusedHandshake(gateway, token)).toMatchObject({ message: 'unauthorized', data: { code: 'unauthorized' } });
      // The refresh token still gives a working one.
      await user.refresh();
      expect((await http(gateway, 'GET', '/auth/me', { token: user.accessToken })).status).toBe(200);
    });

    it('keeps sync working on a socket older than its token once the client hands over a new one (auth:refresh)', async () => {
      const user = await ChatUser.register(gateway, 'longlived');
      const { general: home } = await user.createWorkspace();
      const device = await user.connect(gateway);
      await device.sendOk(home.id, 'before expiry');
      const { exp } = jwtPayload(user.accessToken);
      await sleep(Math.max(0, (exp + CLOCK_TOLERANCE_SECONDS) * 1000 + 500 - Date.now()));

      const stale = await device.sync({ channels: [{ channelId: home.id, afterSeq: 0 }] });
      expect(stale).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
      // Another user's token, an expired one and a malformed one are refused.
      expect(await device.raw('auth:refresh', [{ token: outsider.accessToken }])).toMatchObject({ ok: false });
      expect(await device.raw('auth:refresh', [{ token: user.accessToken }])).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
      expect(await device.raw('auth:refresh', [{ token: 42 }])).toMatchObject({ ok: false, error: { code: 'invalid' } });

      await user.refresh();
      expect(await device.raw('auth:refresh', [{ token: user.accessToken }])).toEqual({ ok: true });
      const synced = await device.sync({ channels: [{ channelId: home.id, afterSeq: 0 }] });
      expect(synced.ok && synced.messages.map((m) => m.text)).toEqual(['before expiry']);
    });

    it('revokes the whole family when a rotated refresh token is presented again', async () => {
      const user = await ChatUser.register(gateway, 'rotating');
      const refresh = (refreshToken: string) => http<{ accessToken: string; refreshToken: string }>(gateway, 'POST', '/auth/refresh', { body: { refreshToken } });
      const first = user.refreshToken;
      const rotated = await refresh(first);
      expect(rotated.status).toBe(200);
      const second = rotated.body.refreshToken;
      const again = await refresh(second);
      expect(again.status).toBe(200);
      const third = again.body.refreshToken;
      expect(new Set([first, second, third]).size).toBe(3);

      // `first` was rotated away: presenting it again is reuse, refused and revoking the family...
      expectError(await refresh(first), 401, 'unauthorized');
      // ... so the newest token of the family, never used, stops working too.
      expectError(await refresh(third), 401, 'unauthorized');
      expectError(await refresh(second), 401, 'unauthorized');
      // Signing in again starts a new family.
      const login = await http<{ refreshToken: string }>(gateway, 'POST', '/auth/login', { body: { username: user.username, password: 'correct horse battery staple' } });
      expect(login.status).toBe(200);
      expect((await refresh(login.body.refreshToken)).status).toBe(200);
    });
  });

  describe('bad input on the socket', () => {
    let mallory: ChatUser;
    let device: Device;
    /** The channel mallory may write to, and the messages she stored there. */
    let channelId: string;
    const stored: Message[] = [];
    let historyOfOthers: { secret: Message[]; open: Message[] };

    beforeAll(async () => {
      mallory = await register('mallory');
      await owner.addToWorkspace(workspaceId, mallory);
      channelId = general;
      device = await mallory.connect(gateway);
      historyOfOthers = { secret: await owner.history(privateChannel.id), open: await owner.history(publicChannel.id) };
    });

    const valid = (): { channelId: string; clientMsgId: string; text: string } => ({ channelId, clientMsgId: randomUUID(), text: 'valid' });
    const cases: [string, string, () => unknown[]][] = [
      ['a string', 'invalid', () => ['hello']],
      ['a number', 'invalid', () => [42]],
      ['an array', 'invalid', () => [[valid()]]],
      ['null', 'invalid', () => [null]],
      ['no payload at all', 'invalid', () => []],
      ['two payloads', 'invalid', () => [valid(), valid()]],
      ['an empty object', 'invalid', () => [{}]],
      ['no text', 'invalid', () => [{ channelId, clientMsgId: randomUUID() }]],
      ['no clientMsgId', 'invalid', () => [{ channelId, text: 'hi' }]],
      ['no channelId', 'invalid', () => [{ clientMsgId: randomUUID(), text: 'hi' }]],
      ['a numeric channelId', 'invalid', () => [{ ...valid(), channelId: 42 }]],
      ['a channelId that is not a UUID', 'invalid', () => [{ ...valid(), channelId: 'general' }]],
      ['a clientMsgId that is not a UUID', 'invalid', () => [{ ...valid(), clientMsgId: 'msg-1' }]],
      ['a numeric text', 'invalid', () => [{ ...valid(), text: 42 }]],
      ['a blank text', 'invalid', () => [{ ...valid(), text: '   ' }]],
      ['fileIds that are not a list', 'invalid', () => [{ ...valid(), fileIds: 'abc' }]],
      ['a text of 4,001 characters', 'invalid', () => [{ ...valid(), text: 'x'.repeat(4_001) }]],
      ['a payload over 64 KiB', 'too_large', () => [{ ...valid(), text: 'x'.repeat(70_000) }]],
      ['a payload over 64 KiB of multi-byte characters', 'too_large', () => [{ ...valid(), text: 'é'.repeat(33_000) }]],
      ['an unknown channel', 'not_found', () => [{ ...valid(), channelId: randomUUID() }]],
      ['a public channel she is not a member of', 'forbidden', () => [{ ...valid(), channelId: publicChannel.id }]],
      ['a private channel she is not a member of', 'not_found', () => [{ ...valid(), channelId: privateChannel.id }]],
    ];

    it.each(cases)('message:send with %s is answered %s; the connection stays open and a valid send succeeds', async (name, code, args) => {
      const answer = await device.raw('message:send', args(), 10_000);
      expect(answer).toMatchObject({ ok: false, error: { code } });
      expect(answer.ok === false && typeof answer.error.message).toBe('string');
      expect(device.connected).toBe(true);
      // Paced: mallory stays well under 20 sends a second, so no answer here is `rate_limited`.
      await sleep(150);
      stored.push(await device.sendOk(channelId, `valid after ${name}`));
      expect(system.find('gateway-0').running).toBe(true);
    });

    it('answers an unknown event invalid and keeps the connection', async () => {
      expect(await device.raw('message:explode', [{ channelId }], 10_000)).toMatchObject({ ok: false, error: { code: 'invalid' } });
      expect(device.connected).toBe(true);
      stored.push(await device.sendOk(channelId, 'valid after an unknown event'));
    });

    it('accepts a text of exactly 4,000 characters', async () => {
      const message = await device.sendOk(channelId, 'y'.repeat(4_000));
      expect(message.text).toHaveLength(4_000);
      stored.push(message);
    });

    it('stored nothing but the valid sends, and the gateway is still up', async () => {
      const history = await mallory.history(channelId);
      const mine = history.filter((m) => m.senderId === mallory.id);
      expect(mine).toEqual(stored);
      expect(await owner.history(privateChannel.id)).toEqual(historyOfOthers.secret);
      expect(await owner.history(publicChannel.id)).toEqual(historyOfOthers.open);
      expect(device.disconnects).toEqual([]);
      expect(system.find('gateway-0').running).toBe(true);
      expect((await fetch(`${gateway}/health/live`)).status).toBe(200);
    });

    it('answers a flood of sends rate_limited, stores only the accepted ones and keeps the connection', async () => {
      const flooder = await register('flooder');
      const workspace = await flooder.createWorkspace();
      const flood = await flooder.connect(gateway);
      const ids = Array.from({ length: 80 }, () => randomUUID());
      const answers = await Promise.all(ids.map((clientMsgId, i) => flood.send({ channelId: workspace.general.id, clientMsgId, text: `flood ${i}` }, 30_000)));

      const accepted = answers.flatMap((a) => (a.ok ? [a.message] : []));
      const refused = answers.filter((a) => !a.ok);
      expect(refused.length).toBeGreaterThan(0);
      for (const answer of refused) expect(answer).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
      // 20 a second, 50 in 5 s (fixed windows: a flood straddling a second boundary may get 40).
      expect(accepted.length).toBeGreaterThanOrEqual(1);
      expect(accepted.length).toBeLessThanOrEqual(50);
      expect(flood.connected).toBe(true);

      const history = await flooder.history(workspace.general.id);
      expect(history.map((m) => m.clientMsgId).sort()).toEqual(accepted.map((m) => m.clientMsgId).sort());
      expect(history.map((m) => m.seq)).toEqual(accepted.map((_, i) => i + 1));

      // Once the window has passed, sending works again on the same connection.
      const later = await waitFor(
        'a send to be accepted after the flood',
        async () => {
          const answer = await flood.send({ channelId: workspace.general.id, text: 'after the flood' });
          return answer.ok ? answer.message : undefined;
        },
        15_000,
        1_000,
      );
      expect(later.seq).toBe(accepted.length + 1);
      expect(flood.disconnects).toEqual([]);
      expect(system.find('gateway-0').running).toBe(true);
      flood.close();
    });
  });
});
