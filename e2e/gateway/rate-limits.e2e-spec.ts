// Every client action is rate-limited, per user and per address, answered `rate_limited` with the
// time to wait (`retryAfterMs` in acknowledgements and connect errors, Retry-After on REST) and
// never by closing the connection: socket commands by budgets counted in each gateway (edits,
// deletes and reactions share one; read markers and sync have theirs), handshakes and open
// sockets per user, search per user, and file creation per user across every gateway (Redis).
import { randomUUID } from 'node:crypto';
import { type Ack, type ErrorBody, type ErrorDetail } from '@chat/contracts';
import { ChatUser, type Device, refusedHandshake } from '../support/chat-client';
import { TestSystem } from '../support/test-system';

type Refusal = { ok: false; error: ErrorDetail };
const isRateLimited = (answer: Ack<object>): answer is Refusal => !answer.ok && answer.error.code === 'rate_limited';

describe('rate limits', () => {
  let system: TestSystem;
  const users: ChatUser[] = [];
  const register = async (prefix: string, gateway = 0): Promise<ChatUser> => {
    const user = await ChatUser.register(system.gatewayUrl(gateway), prefix);
    users.push(user);
    return user;
  };

  beforeAll(async () => {
    system = await TestSystem.start({
      services: ['auth', 'messaging', 'files', 'gateway'],
      gateways: 2,
      env: { gateway: { HANDSHAKE_RATE_LIMIT_PER_USER: '4/1m', SOCKETS_PER_USER: '3', FILE_CREATE_RATE_LIMIT: '3/1m', SYNC_RATE_LIMIT: '5/10s' } },
    });
  }, 180_000);

  afterAll(async () => {
    for (const user of users) for (const device of user.devices) device.close();
    await system?.stop();
    await system?.dropData();
  });

  it('answers the 31st edit, delete or reaction within a second rate_limited, and keeps the connection and the other budgets', async () => {
    const ada = await register('ada');
    const { general } = await ada.createWorkspace();
    const device = await ada.connect(system.gatewayUrl(0));
    const message = await device.sendOk(general.id, 'to be edited');

    const changes = Array.from({ length: 40 }, (_, i) =>
      i % 4 === 3 ? device.raw('reaction:add', [{ channelId: general.id, messageId: message.id, emoji: '👍' }]) : device.raw('message:edit', [{ channelId: general.id, messageId: message.id, text: `edit ${i}` }]),
    );
    const answers = await Promise.all(changes);
    expect(answers.filter((a) => a.ok)).toHaveLength(30);
    const refused = answers.filter((a) => !a.ok);
    expect(refused).toHaveLength(10);
    for (const answer of refused) {
      expect(isRateLimited(answer)).toBe(true);
      const { retryAfterMs } = answer.error;
      expect(retryAfterMs).toBeGreaterThan(0);
      expect(retryAfterMs).toBeLessThanOrEqual(1_000);
    }

    // Other budgets are untouched: a read marker and a send go through at once.
    expect(await device.raw('read', [{ channelId: general.id, seq: message.seq }])).toEqual({ ok: true });
    await device.sendOk(general.id, 'still sending');
    expect(device.connected).toBe(true);
    expect(device.disconnects).toEqual([]);
  });

  it('limits sync calls per user (SYNC_RATE_LIMIT 5/10s here)', async () => {
    const bob = await register('bob');
    const { general } = await bob.createWorkspace();
    const device = await bob.connect(system.gatewayUrl(0));
    const answers: Ack<object>[] = [];
    // One at a time: the concurrency cap (4 per connection) must not be what refuses them.
    for (let i = 0; i < 7; i++) answers.push(await device.sync({ channels: [{ channelId: general.id, afterSeq: 0 }] }));
    expect(answers.slice(0, 5).every((a) => a.ok)).toBe(true);
    expect(answers.slice(5).every(isRateLimited)).toBe(true);
    expect(device.connected).toBe(true);
  });

  it('caps open sockets per user and handshakes per user, with rate_limited connect errors', async () => {
    const carol = await register('carol');
    const gateway = system.gatewayUrl(0);
    const devices: Device[] = [];
    for (let i = 0; i < 3; i++) devices.push(await carol.connect(gateway));
    const tooMany = await refusedHandshake(gateway, await carol.token());
    expect(tooMany.message).toBe('rate_limited');
    expect(tooMany.data).toMatchObject({ code: 'rate_limited' });
    expect((tooMany.data as { message: string }).message).toContain('at most 3');

    // A closed socket frees its place: the 4th handshake of the minute is accepted ...
    devices[0]?.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    devices.push(await carol.connect(gateway));
    // ... and the 5th is refused by the per-user handshake budget (shared by both gateways).
    devices[1]?.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const overBudget = await refusedHandshake(system.gatewayUrl(1), await carol.token());
    expect(overBudget.message).toBe('rate_limited');
    expect((overBudget.data as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(10_000);
  });

  it('limits searches per user with 429 and Retry-After', async () => {
    const dora = await register('dora');
    await dora.createWorkspace();
    const statuses: number[] = [];
    let refusal: { body: ErrorBody; retryAfter: string | null } | undefined;
    for (let i = 0; i < 7; i++) {
      const answer = await dora.request<ErrorBody>('GET', '/api/search?q=hello');
      statuses.push(answer.status);
      if (answer.status === 429) refusal = { body: answer.body, retryAfter: answer.headers.get('retry-after') };
    }
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(5);
    expect(statuses).toContain(429);
    expect(refusal?.body.error.code).toBe('rate_limited');
    expect(Number(refusal?.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(refusal?.body.error.retryAfterMs).toBeGreaterThan(0);
    // Other routes are not counted against the search budget.
    expect((await dora.request('GET', '/api/workspaces')).status).toBe(200);
  });

  it('counts file creation per user across gateways (Redis)', async () => {
    const eve = await register('eve');
    const create = (gateway: number) => eve.request<ErrorBody>('POST', '/api/files', { name: `${randomUUID()}.txt`, contentType: 'text/plain', size: 5 }, system.gatewayUrl(gateway));
    expect((await create(0)).status).toBe(201);
    expect((await create(1)).status).toBe(201);
    expect((await create(0)).status).toBe(201);
    const refused = await create(1);
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(10);
    // Someone else's budget is their own.
    const fay = await register('fay');
    expect((await fay.request('POST', '/api/files', { name: 'a.txt', contentType: 'text/plain', size: 5 }, system.gatewayUrl(1))).status).toBe(201);
  });
});
