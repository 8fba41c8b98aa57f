// Presence and typing end to end: real services, two gateway instances, real Socket.IO clients.
// Presence runs with a short grace period and sweep interval and the gateways with a short lease
// (PRESENCE_E2E_LEASE_MS, default 3 s), so the crash test finishes quickly; the figures printed
// (time from kill -9 to the offline event, Redis round trips and Kafka records per status change)
// are measurements, never assertions.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { type Channel, LIMITS, type Presence } from '@chat/contracts';
import { waitFor } from '@chat/testing';
import Redis from 'ioredis';
import { ChatUser, http } from '../support/chat-client';
import { TestSystem } from '../support/test-system';
import { counter, Ears, scrape } from './presence-probe';

const LEASE_MS = Number(process.env['PRESENCE_E2E_LEASE_MS'] ?? 3_000);
const GRACE_MS = 4_000;
const SWEEP_MS = 250;
const THROTTLE_MS = 2_000;

describe('presence and typing across two gateways', () => {
  let system: TestSystem;
  /** Where presence serves its metrics (its internal METRICS_PORT). */
  let presenceMetrics: string;
  let alice: ChatUser;
  let bob: ChatUser;
  let carol: ChatUser;
  let dave: ChatUser;
  let eve: ChatUser;
  let frank: ChatUser;
  let workspaceId: string;
  let general: Channel;
  let hidden: Channel;
  /** alice's first device, on gateway 0: the observer of every presence test. */
  let watcher: Ears;
  /** eve shares no workspace with anyone: she must hear nothing about them. */
  let stranger: Ears;
  const users = (): ChatUser[] => [alice, bob, carol, dave, eve, frank].filter(Boolean);

  async function presenceAs(user: ChatUser, ids: string[]): Promise<{ status: number; body: { presence?: Presence[]; error?: { code: string } } }> {
    return user.request<{ presence?: Presence[]; error?: { code: string } }>('GET', `/api/presence?userIds=${ids.join(',')}`);
  }

  async function statusSeenBy(user: ChatUser, target: ChatUser): Promise<Presence | undefined> {
    const answer = await presenceAs(user, [target.id]);
    return answer.body.presence?.find((p) => p.userId === target.id);
  }

  const presenceCounter = (name: string, labels: Record<string, string> = {}): Promise<number> => counter(presenceMetrics, name, labels);

  beforeAll(async () => {
    system = await TestSystem.start({
      services: ['auth', 'messaging', 'presence', 'gateway'],
      gateways: 2,
      env: {
        gateway: { PRESENCE_LEASE_MS: String(LEASE_MS), PRESENCE_FLUSH_MS: '50', TYPING_THROTTLE_MS: String(THROTTLE_MS) },
        presence: { PRESENCE_OFFLINE_GRACE_MS: String(GRACE_MS), PRESENCE_SWEEP_INTERVAL_MS: String(SWEEP_MS) },
      },
    });
    presenceMetrics = system.metricsUrl('presence');
    const gw0 = system.gatewayUrl(0);
    // One after another: argon2 on a busy 2-core machine is slow enough without six at once.
    const registered: ChatUser[] = [];
    for (const name of ['alice', 'bob', 'carol', 'dave', 'eve', 'frank']) registered.push(await ChatUser.register(gw0, name));
    [alice, bob, carol, dave, eve, frank] = registered;
    const created = await alice.createWorkspace();
    workspaceId = created.workspace.id;
    for (const user of [bob, carol, dave, frank]) await alice.addToWorkspace(workspaceId, user);
    await eve.createWorkspace();
    general = (await alice.channels(workspaceId)).find((c) => c.name === 'general') as unknown as Channel;
    hidden = await alice.createChannel(workspaceId, { private: true });
    await alice.addToChannel(hidden.id, bob);
    watcher = new Ears(await alice.connect(gw0, 'alice@gw0'));
    stranger = new Ears(await eve.connect(system.gatewayUrl(1), 'eve@gw1'));
  }, 240_000);

  afterAll(async () => {
    for (const user of users()) for (const device of user.devices) device.close();
    await system?.stop();
    await system?.dropData();
    // presence's keys of this run (TestSystem gave it the prefix `<run>.presence:`).
    if (system) {
      const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
      const keys = await redis.keys(`${system.run}.presence:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    }
  }, 120_000);

  it('keeps a user with two devices online until both disconnect; others see online → offline once', async () => {
    const b0 = await bob.connect(system.gatewayUrl(0), 'bob@gw0');
    const b1 = await bob.connect(system.gatewayUrl(1), 'bob@gw1');
    await waitFor('alice to hear bob online', () => watcher.statusesOf(bob.id).includes('online'), 30_000);

    const closed = await presenceCounter('presence_signals_total', { type: 'session.closed' });
    b0.close();
    await waitFor('presence to apply the close of bob@gw0', async () => (await presenceCounter('presence_signals_total', { type: 'session.closed' })) > closed, 30_000);
    await expect(statusSeenBy(alice, bob)).resolves.toMatchObject({ status: 'online' });

    b1.close();
    await waitFor('alice to hear bob offline', () => watcher.statusesOf(bob.id).includes('offline'), 60_000);
    expect(watcher.statusesOf(bob.id)).toEqual(['online', 'offline']);
    const seen = await statusSeenBy(alice, bob);
    expect(seen).toMatchObject({ status: 'offline' });
    expect(seen?.lastSeenAt).toEqual(expect.any(String));
  });

  it('does not flap on a reload (reconnect within the grace period); away and active follow the device', async () => {
    const first = await carol.connect(system.gatewayUrl(0), 'carol@gw0');
    await waitFor('alice to hear carol online', () => watcher.statusesOf(carol.id).includes('online'), 30_000);
    first.close();
    const again = await carol.connect(system.gatewayUrl(1), 'carol@gw1');
    await expect(again.raw('presence:away', [{}])).resolves.toEqual({ ok: true });
    await waitFor('alice to hear carol away', () => watcher.statusesOf(carol.id).includes('away'), 30_000);
    await expect(again.raw('presence:active', [{}])).resolves.toEqual({ ok: true });
    await waitFor('alice to hear carol online again', () => watcher.statusesOf(carol.id).length >= 3, 30_000);
    // Had the reload been published, `offline` and another `online` would sit before `away`.
    expect(watcher.statusesOf(carol.id)).toEqual(['online', 'away', 'online']);
  });

  it('tells a stranger nothing: GET /api/presence omits users who share no workspace, and no presence event reaches them', async () => {
    const answer = await presenceAs(eve, [alice.id, bob.id, carol.id, eve.id]);
    expect(answer.status).toBe(200);
    expect(answer.body.presence?.map((p) => p.userId)).toEqual([eve.id]);
    const fromAlice = await presenceAs(alice, [eve.id, carol.id, randomUUID()]);
    expect(fromAlice.body.presence?.map((p) => p.userId)).toEqual([carol.id]);
    expect(fromAlice.body.presence?.[0]).toMatchObject({ status: 'online' });
    // alice heard bob and carol; eve, connected all along, heard about no one but herself.
    expect(watcher.presence.length).toBeGreaterThan(0);
    expect(stranger.presence.filter((h) => h.event.userId !== eve.id)).toEqual([]);
  });

  it('relays typing to the other members only, at most once per throttle window, never to non-members', async () => {
    const a0 = watcher.device;
    const aliceOther = new Ears(await alice.connect(system.gatewayUrl(1), 'alice@gw1'));
    const bob0 = new Ears(await bob.connect(system.gatewayUrl(0), 'bob@gw0#2'));
    const bob1 = new Ears(await bob.connect(system.gatewayUrl(1), 'bob@gw1#2'));
    const frank1 = new Ears(await frank.connect(system.gatewayUrl(1), 'frank@gw1'));

    const firstAt = performance.now();
    for (let i = 0; i < 5; i++) await expect(a0.raw('typing', [{ channelId: general.id }])).resolves.toEqual({ ok: true });
    await waitFor('bob (both devices) and frank to see alice typing in #general', () =>
      [bob0, bob1, frank1].every((ears) => ears.typingFrom(alice.id, general.id).length >= 1), 30_000);
    expect(bob1.typingFrom(alice.id, general.id)[0]?.event).toEqual({ channelId: general.id, userId: alice.id });

    // A private channel frank is not in: bob hears it, frank does not, and frank may not type there.
    await expect(a0.raw('typing', [{ channelId: hidden.id }])).resolves.toEqual({ ok: true });
    await expect(frank1.device.raw('typing', [{ channelId: hidden.id }])).resolves.toMatchObject({ ok: false, error: { code: 'not_found' } });
    await expect(stranger.device.raw('typing', [{ channelId: general.id }])).resolves.toMatchObject({ ok: false, error: { code: 'not_found' } });

    // After the window, one more gets through. The relay is one ordered stream per publishing
    // instance, so once bob@gw1 has it, gateway 1 has handled everything alice sent before.
    await waitFor('the throttle window to pass', () => performance.now() - firstAt > THROTTLE_MS + 500, THROTTLE_MS * 3, 50);
    await expect(a0.raw('typing', [{ channelId: general.id }])).resolves.toEqual({ ok: true });
    await waitFor('bob@gw1 to see alice typing a second time', () => bob1.typingFrom(alice.id, general.id).length >= 2, 30_000);
    await waitFor('bob@gw0 to see alice typing a second time', () => bob0.typingFrom(alice.id, general.id).length >= 2, 30_000);

    expect(bob1.typingFrom(alice.id, general.id)).toHaveLength(2);
    expect(bob0.typingFrom(alice.id, general.id)).toHaveLength(2);
    expect(bob1.typingFrom(alice.id, hidden.id)).toHaveLength(1);
    expect(frank1.typing.filter((h) => h.event.channelId === hidden.id)).toEqual([]);
    expect(aliceOther.typing).toEqual([]);
    expect(watcher.typing).toEqual([]);
    expect(stranger.typing).toEqual([]);
    for (const ears of [aliceOther, bob0, bob1, frank1]) ears.device.close();
  });

  it('answers bad input with protocol error codes', async () => {
    const device = watcher.device;
    await expect(device.raw('typing', [{ channelId: 'not-a-uuid' }])).resolves.toMatchObject({ ok: false, error: { code: 'invalid' } });
    await expect(device.raw('typing', ['general'])).resolves.toMatchObject({ ok: false, error: { code: 'invalid' } });
    await expect(device.raw('typing', [{ channelId: randomUUID() }])).resolves.toMatchObject({ ok: false, error: { code: 'not_found' } });
    await expect(device.raw('presence:away', ['away'])).resolves.toMatchObject({ ok: false, error: { code: 'invalid' } });
    await expect(device.raw('presence:active', [{ extra: 'x'.repeat(70 * 1024) }])).resolves.toMatchObject({ ok: false, error: { code: 'too_large' } });
    expect(device.connected).toBe(true);

    for (const query of ['', '?userIds=', '?userIds=nope', `?userIds=${Array.from({ length: LIMITS.presenceUserIdsMax + 1 }, () => randomUUID()).join(',')}`]) {
      const answer = await alice.request<{ error: { code: string } }>('GET', `/api/presence${query}`);
      expect([query.slice(0, 20), answer.status, answer.body.error.code]).toEqual([query.slice(0, 20), 400, 'invalid']);
    }
    const anonymous = await http<{ error: { code: string } }>(system.gatewayUrl(0), 'GET', `/api/presence?userIds=${bob.id}`);
    expect([anonymous.status, anonymous.body.error.code]).toEqual([401, 'unauthorized']);
  });

  it('measures what one status change costs (figures printed, not asserted)', async () => {
    const gateways = [system.metricsUrl('gateway-0'), system.metricsUrl('gateway-1')];
    const snapshot = async () => {
      const presence = await scrape(presenceMetrics);
      const redis = presence('presence_redis_calls_total');
      const claims = presence('presence_redis_calls_total', { op: 'claim' });
      const leases = presence('presence_redis_calls_total', { op: 'lease' });
      let fromGateways = 0;
      for (const url of gateways) {
        const gateway = await scrape(url);
        fromGateways += gateway('gateway_presence_signals_total') - gateway('gateway_presence_signals_total', { type: 'gateway.alive' });
      }
      return { redis: redis - claims - leases, claims, leases, kafka: presence('presence_kafka_records_total') + fromGateways, at: performance.now() };
    };
    // The devices the typing test closed turn their users offline after the grace period first.
    for (const user of [bob, frank]) await waitFor(`${user.username} to be heard offline`, () => watcher.statusesOf(user.id).at(-1) === 'offline', 60_000);
    const before = await snapshot();
    const device = await dave.connect(system.gatewayUrl(0), 'dave@measure');
    await waitFor('alice to hear dave online', () => watcher.statusesOf(dave.id).includes('online'), 30_000);
    const online = await snapshot();
    device.close();
    await waitFor('alice to hear dave offline', () => watcher.statusesOf(dave.id).includes('offline'), 60_000);
    const offline = await snapshot();
    const perSecond = (n: number, ms: number): string => ((n * 1000) / ms).toFixed(1);
    console.log(
      [
        'presence cost per status change (one device, one observer):',
        `  offline → online: ${online.redis - before.redis} Redis round trips, ${online.kafka - before.kafka} Kafka records`,
        `  online → offline (after the ${GRACE_MS} ms grace): ${offline.redis - online.redis} Redis round trips (+ sweeper claims, shared by all users: ${perSecond(offline.claims - online.claims, offline.at - online.at)}/s), ${offline.kafka - online.kafka} Kafka records`,
        `  heartbeats: 1 Kafka record per gateway every ${Math.floor(LEASE_MS / 3)} ms, whatever the number of users; presence renews leases in ${perSecond(offline.leases - before.leases, offline.at - before.at)} Redis round trips/s`,
      ].join('\n'),
    );
    expect(watcher.statusesOf(dave.id)).toEqual(['online', 'offline']);
  });

  it('turns the users of a gateway killed with SIGKILL offline within the lease, but not those also connected elsewhere', async () => {
    // carol is on gateway 1 only (since the reload test); dave on both.
    const opened = await presenceCounter('presence_signals_total', { type: 'session.opened' });
    await dave.connect(system.gatewayUrl(0), 'dave@gw0');
    await dave.connect(system.gatewayUrl(1), 'dave@gw1');
    await waitFor('presence to apply both of dave\'s sessions', async () => (await presenceCounter('presence_signals_total', { type: 'session.opened' })) >= opened + 2, 30_000);
    await waitFor('alice to hear dave online', () => watcher.statusesOf(dave.id).filter((s) => s === 'online').length >= 2, 30_000);
    const daveHeard = watcher.statusesOf(dave.id).length;
    const carolHeard = watcher.statusesOf(carol.id).length;
    const expired = await presenceCounter('presence_signals_total', { type: 'session.expired' });

    const killedAt = performance.now();
    await system.find('gateway-1').kill();
    await waitFor('alice to hear carol offline', () => watcher.statusesOf(carol.id).length > carolHeard, LEASE_MS + 30_000);
    const offlineAt = watcher.presence.find((h) => h.event.userId === carol.id && h.event.status === 'offline' && h.at >= killedAt)?.at ?? Number.NaN;
    expect(watcher.statusesOf(carol.id).slice(carolHeard)).toEqual(['offline']);

    // dave's and eve's sessions on gateway 1 expired too; dave stays online through gateway 0.
    await waitFor('presence to expire the sessions of gateway 1', async () => (await presenceCounter('presence_signals_total', { type: 'session.expired' })) >= expired + 3, 30_000);
    await expect(statusSeenBy(alice, dave)).resolves.toMatchObject({ status: 'online' });
    expect(watcher.statusesOf(dave.id).length).toBe(daveHeard);
    expect(stranger.presence.filter((h) => h.event.userId !== eve.id)).toEqual([]);
    console.log(`kill -9 of a gateway → offline event at another: ${Math.round(offlineAt - killedAt)} ms (lease ${LEASE_MS} ms, sweep ${SWEEP_MS} ms)`);
  });
});
