// Issue 14, item 2: a few accounts flood `message:send` with sends that can never succeed — to a
// random channel id, to a channel they are not a member of, and into their own channel naming
// random file ids (which messaging waits for, a little, in case the file was completed a moment
// ago) — while other users send normally. The flooders must get the protocol's refusals
// (not_found, forbidden), promptly and not as timeouts; the others' sends must all be acknowledged
// at the first try and delivered to every device with nothing lost, duplicated or reordered.
// Speed is for the benchmarks: the honest acks' p50/p99 are logged, not asserted.
//
// The gateway's send limit and its bound on a socket's pending commands are lifted here, so that
// the whole flood reaches messaging's send pipeline (the limits are a separate defence, tested in
// access-and-input.e2e-spec.ts). Without the sender's wait cooldown (AttachmentsService) the
// own-channel flood queued one 1-s wait behind another and most of it ended `unavailable`.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { sleep } from '@chat/testing';
import { ChatUser, type Device, percentile } from '../support/chat-client';
import { FaultScenario } from '../support/fault-scenario';
import { checkClean } from '../support/send-checker';
import { DEFAULT_LOAD, SendLoad } from '../support/send-load';
import { TestSystem } from '../support/test-system';

const LOAD_MS = 5_000;
const HONEST_USERS = 3;
const CHANNELS = 4;
/** Sends per second of each flooder. */
const FLOOD_RATE = 40;
/** A flooder's send not answered within this long counts as a timeout (the gateway answers `unavailable` after 15 s). */
const FLOOD_ACK_TIMEOUT_MS = 20_000;

interface Flood {
  name: string;
  device: Device;
  payload: () => { channelId: string; text: string; fileIds?: string[] };
  /** Answers by code ('ok', an error code, or 'timeout'). */
  answers: Record<string, number>;
  /** ms from emit to answer, refusals included. */
  latencies: number[];
}

describe('a flood of sends that can never succeed', () => {
  let system: TestSystem;
  let scenario: FaultScenario;
  const floods: Flood[] = [];

  beforeAll(async () => {
    system = await TestSystem.start({
      services: ['auth', 'messaging', 'gateway'],
      env: { gateway: { SEND_RATE_LIMIT: '2000/1s,10000/5s', PENDING_COMMANDS_PER_SOCKET: '10000' }, messaging: { FILE_PROJECTION_WAIT_MS: '1000' } },
    });
    scenario = await FaultScenario.start(system, HONEST_USERS, 1);
  }, 240_000);

  afterAll(async () => {
    scenario?.close();
    for (const flood of floods) flood.device.close();
    await system?.stop();
    await system?.dropData();
  }, 120_000);

  async function flood(flooder: Flood): Promise<void> {
    const intervalMs = 1000 / FLOOD_RATE;
    const started = performance.now();
    const pending: Promise<void>[] = [];
    for (let next = started; performance.now() - started < LOAD_MS; next += intervalMs) {
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
      const emitted = performance.now();
      pending.push(
        flooder.device.send(flooder.payload(), FLOOD_ACK_TIMEOUT_MS).then(
          (answer) => {
            const code = answer.ok ? 'ok' : answer.error.code;
            flooder.answers[code] = (flooder.answers[code] ?? 0) + 1;
            flooder.latencies.push(performance.now() - emitted);
          },
          () => {
            flooder.answers['timeout'] = (flooder.answers['timeout'] ?? 0) + 1;
          },
        ),
      );
    }
    await Promise.all(pending);
  }

  it('refuses the flooders promptly with not_found / forbidden, while everyone else is acknowledged and delivered in order', async () => {
    const origin = system.gatewayUrl(0);
    const channels = await scenario.newChannels(CHANNELS, 'flood');

    // A stranger to the workspace, naming random channel ids and the others' channels.
    const stranger = await ChatUser.register(origin, 'stranger');
    // A member of the workspace, not of its (public) channels.
    const outsider = await ChatUser.register(origin, 'outsider');
    await scenario.owner.addToWorkspace(scenario.workspaceId, outsider);
    // A user with a channel of their own, naming random file ids in it.
    const attacher = await ChatUser.register(origin, 'attacher');
    const own = await attacher.createWorkspace();
    const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)];
    const randomFiles = (): string[] => [randomUUID(), randomUUID()];
    const add = async (name: string, user: ChatUser, payload: Flood['payload']): Promise<Flood> => {
      const flooder: Flood = { name, device: await user.connect(origin), payload, answers: {}, latencies: [] };
      floods.push(flooder);
      return flooder;
    };
    const randomChannel = await add('random channel, random files', stranger, () => ({ channelId: randomUUID(), text: 'x', fileIds: randomFiles() }));
    const foreignChannel = await add("a stranger in others' channels", stranger, () => ({ channelId: pick(channels), text: 'x', fileIds: randomFiles() }));
    const notMember = await add('a non-member in public channels', outsider, () => ({ channelId: pick(channels), text: 'x', fileIds: randomFiles() }));
    const ownChannel = await add('own channel, random files', attacher, () => ({ channelId: own.general.id, text: 'x', fileIds: randomFiles() }));

    const load = new SendLoad(scenario.users, channels, { ...DEFAULT_LOAD, ratePerSecond: 20 });
    await Promise.all([load.run(LOAD_MS), ...floods.map((f) => flood(f))]);

    for (const f of floods) {
      console.log(`[flood] ${f.name}: ${JSON.stringify(f.answers)}; answered in p50 ${percentile(f.latencies, 50).toFixed(0)} ms, p99 ${percentile(f.latencies, 99).toFixed(0)} ms`);
    }
    const sent = (f: Flood): number => Object.values(f.answers).reduce((a, b) => a + b, 0);
    expect(randomChannel.answers).toEqual({ not_found: sent(randomChannel) });
    // Not in the workspace: the channels do not exist as far as the stranger can tell.
    expect(foreignChannel.answers).toEqual({ not_found: sent(foreignChannel) });
    expect(notMember.answers).toEqual({ forbidden: sent(notMember) });
    // Random file ids in one's own channel: not_found, each answered, none left to time out behind the others.
    expect(ownChannel.answers).toEqual({ not_found: sent(ownChannel) });
    expect(sent(ownChannel)).toBeGreaterThan(FLOOD_RATE * (LOAD_MS / 1000) * 0.5);

    const firstTry = load.records.filter((r) => r.ackedAt !== undefined && r.attempts === 1).map((r) => (r.ackedAt ?? 0) - r.startedAt);
    console.log(`[flood] honest sends: ${load.records.length}, acknowledged at the first try in p50 ${percentile(firstTry, 50).toFixed(0)} ms, p99 ${percentile(firstTry, 99).toFixed(0)} ms`);
    const syncReader = scenario.devices[0];
    if (!syncReader) throw new Error('the scenario has no device');
    const counts = await checkClean({
      fault: 'flood of sends that can never succeed',
      load,
      channelIds: channels,
      reader: scenario.owner,
      readerOrigin: origin,
      syncReader,
      devices: scenario.devices,
    });
    // Every honest send acknowledged at its first try: no `unavailable`, no timeout, no retry.
    expect({ acked: counts.acked, retried: counts.retried, failures: counts.failures }).toEqual({ acked: counts.sends, retried: 0, failures: {} });
    expect(counts.stored).toBe(counts.sends);
  }, 240_000);
});
