// Redis backs only typing and the rarer shared rate limits of the gateway: while it is gone every
// gateway stays ready (the one origin keeps serving), says in /health/ready what is degraded,
// answers `typing` unavailable, keeps acknowledging sends, keeps rate-limiting per instance and
// accepts new sockets; a gateway that starts during the outage becomes ready too. When Redis
// returns, typing is relayed again without a restart. Only the gateways reach Redis through the
// test's TCP proxy; auth keeps the shared Redis (sign-in is not what this file is about).
import { freePort, TcpProxy, waitFor } from '@chat/testing';
import { type Ack } from '@chat/contracts';
import { ChatUser, type Device } from '../support/chat-client';
import { TestSystem } from '../support/test-system';

interface RedisHealth {
  status: number;
  redis: { status?: string; degraded?: boolean; impact?: string; message?: string } | undefined;
}

describe('gateway while Redis is down', () => {
  let proxy: TcpProxy;
  let system: TestSystem;
  let ada: ChatUser;
  let bob: ChatUser;
  let channelId: string;
  let adaDevice: Device;
  let bobDevice: Device;

  async function health(gateway: number): Promise<RedisHealth> {
    const response = await fetch(`${system.gatewayUrl(gateway)}/health/ready`);
    const body = (await response.json()) as { details?: { redis?: RedisHealth['redis'] } };
    return { status: response.status, redis: body.details?.redis };
  }

  beforeAll(async () => {
    proxy = new TcpProxy(await freePort(), '127.0.0.1', 6379);
    await proxy.up();
    system = await TestSystem.start({
      services: ['auth', 'messaging', 'gateway'],
      gateways: 2,
      env: { gateway: { REDIS_URL: `redis://127.0.0.1:${proxy.port}`, CHANGE_RATE_LIMIT: '5/10s' } },
    });
    ada = await ChatUser.register(system.gatewayUrl(0), 'ada');
    bob = await ChatUser.register(system.gatewayUrl(0), 'bob');
    const { workspace, general } = await ada.createWorkspace();
    await ada.addToWorkspace(workspace.id, bob);
    channelId = general.id;
    adaDevice = await ada.connect(system.gatewayUrl(0));
    bobDevice = await bob.connect(system.gatewayUrl(0));
  }, 180_000);

  afterAll(async () => {
    for (const user of [ada, bob]) for (const device of user?.devices ?? []) device.close();
    await proxy?.up();
    await system?.stop();
    await system?.dropData();
    await proxy?.down();
  });

  it('stays ready, says what is degraded, and keeps serving', async () => {
    expect(await health(0)).toEqual({ status: 200, redis: { status: 'up' } });
    expect(await adaDevice.raw('typing', [{ channelId }])).toEqual({ ok: true });

    await proxy.down();
    const degraded = await waitFor('gateway-0 to report Redis degraded', async () => {
      const h = await health(0);
      return h.redis?.degraded ? h : undefined;
    }, 30_000, 250);
    expect(degraded.status).toBe(200);
    expect(degraded.redis).toMatchObject({ status: 'up', degraded: true });
    expect(degraded.redis?.impact).toContain('typing is off');

    // Typing is off, and says so.
    expect(await adaDevice.raw('typing', [{ channelId }])).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    // Sends are acknowledged and delivered.
    const sent = await adaDevice.sendOk(channelId, 'while Redis is down');
    await bobDevice.waitForCount(channelId, 1);
    expect(bobDevice.messagesOf(channelId).map((m) => m.id)).toContain(sent.id);
    // Rate limits still hold (counted in the gateway): the 6th change within 10 s is refused.
    const edits: Ack<object>[] = [];
    for (let i = 0; i < 6; i++) edits.push(await adaDevice.raw('message:edit', [{ channelId, messageId: sent.id, text: `edit ${i}` }]));
    expect(edits.slice(0, 5).every((a) => a.ok)).toBe(true);
    expect(edits[5]).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    // New sockets are accepted (the shared handshake limits fall back to per-instance ones), REST works.
    const second = await bob.connect(system.gatewayUrl(1));
    expect(second.connected).toBe(true);
    expect((await ada.request('GET', '/api/workspaces')).status).toBe(200);
  });

  it('lets a gateway start while Redis is down', async () => {
    const gateway = system.find('gateway-1');
    for (const device of bob.devices.filter((d) => d.gatewayUrl === system.gatewayUrl(1))) device.close();
    await gateway.stop();
    gateway.start();
    await gateway.waitReady(90_000);
    const h = await health(1);
    expect(h.status).toBe(200);
    expect(h.redis).toMatchObject({ degraded: true });
  });

  it('relays typing again once Redis is back, without a restart', async () => {
    await proxy.up();
    for (const gateway of [0, 1]) {
      await waitFor(`gateway-${gateway} to see Redis back`, async () => (await health(gateway)).redis?.degraded === undefined, 30_000, 250);
    }
    const seen: unknown[] = [];
    bobDevice.socket.on('typing', (event) => seen.push(event));
    // The gateway started during the outage subscribes once Redis answers: typing from it reaches gateway-0.
    const late = await ada.connect(system.gatewayUrl(1));
    await waitFor('typing to be relayed from gateway-1', async () => {
      const answer = await late.raw('typing', [{ channelId }]);
      if (!answer.ok) return false;
      await new Promise((resolve) => setTimeout(resolve, 300));
      return seen.length > 0;
    }, 20_000, 2_500);
    expect(seen[0]).toEqual({ channelId, userId: ada.id });
  });
});
