// Issue 13, "Faults the tests must survive", for the messaging instances: two of them share the
// command partitions while four users send to six channels at a bounded rate, every send with a
// fresh clientMsgId and every unacknowledged one retried with the same clientMsgId. Then
// - one instance is stopped (SIGSTOP) past the Kafka session timeout and continued (SIGCONT);
// - one instance is killed (SIGKILL) mid-work and a replacement started;
// - sends acknowledged while one instance owned every partition are retried, with the same
//   clientMsgId and another text through another gateway, after that owner was killed: the
//   acknowledgement must carry the first message.
// After each, the checker (e2e/support/send-checker.ts) reads storage through REST and `sync` and
// every device's timeline, and the test asserts nothing lost, duplicated or reordered. Only the
// client protocol is used: nothing here knows how messaging assigns partitions or seqs.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { type Message } from '@chat/contracts';
import { sleep, waitFor } from '@chat/testing';
import { FaultScenario } from '../support/fault-scenario';
import { checkClean } from '../support/send-checker';
import { SendLoad, type SendRecord } from '../support/send-load';
import { TestSystem } from '../support/test-system';

/** libs/kafka's consumer session timeout (the default; services take no override). */
const SESSION_TIMEOUT_MS = 10_000;
const LOAD_MS = Number(process.env['FAULT_LOAD_MS'] ?? 30_000);
const USERS = 4;
const GATEWAYS = 2;
const CHANNELS = 6;

describe('send path under load: messaging instance faults', () => {
  let system: TestSystem;
  let scenario: FaultScenario;

  beforeAll(async () => {
    system = await TestSystem.start({
      services: ['auth', 'messaging', 'gateway'],
      gateways: GATEWAYS,
      messaging: 2,
      gatewayMessaging: 'spread',
      env: { gateway: { SEND_RATE_LIMIT: '2000/1s,10000/5s' } },
    });
    scenario = await FaultScenario.start(system, USERS, GATEWAYS);
  }, 240_000);

  afterAll(async () => {
    scenario?.close();
    await system?.stop();
    await system?.dropData();
  }, 120_000);


  it('SIGSTOP of one of two messaging instances past the session timeout, then SIGCONT', async () => {
    const channels = await scenario.newChannels(CHANNELS, 'sigstop');
    const load = new SendLoad(scenario.users, channels);
    const victim = system.find('messaging-1');
    const pid = victim.pid;
    if (pid === undefined) throw new Error('messaging-1 has no pid');
    const running = load.run(LOAD_MS);
    await sleep(5_000);
    process.kill(pid, 'SIGSTOP');
    try {
      await sleep(SESSION_TIMEOUT_MS + 5_000);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await running;
    expect(victim.running).toBe(true);

    await checkClean({
      fault: 'SIGSTOP messaging-1 for 15 s',
      load,
      channelIds: channels,
      reader: scenario.owner,
      readerOrigin: system.gatewayUrl(0),
      syncReader: scenario.deviceOn(0),
      devices: scenario.devices,
    });
  }, 300_000);

  it('kill -9 of one of two messaging instances while sends flow, then a replacement', async () => {
    const channels = await scenario.newChannels(CHANNELS, 'sigkill');
    const load = new SendLoad(scenario.users, channels);
    const victim = system.find('messaging-0');
    const running = load.run(LOAD_MS);
    await sleep(5_000);
    // Both instances own command partitions and the load keeps every channel busy, so the killed
    // one dies with records between fetch and commit.
    await victim.kill();
    await sleep(3_000);
    await victim.start().waitReady(120_000);
    await running;

    await checkClean({
      fault: 'SIGKILL messaging-0, replacement started 3 s later',
      load,
      channelIds: channels,
      reader: scenario.owner,
      readerOrigin: system.gatewayUrl(1),
      syncReader: scenario.deviceOn(1),
      devices: scenario.devices,
    });
  }, 300_000);

  it('a retry of a send acknowledged by the previous owner returns the first message after the owner changed', async () => {
    const channels = await scenario.newChannels(CHANNELS, 'retry');
    const first = system.find('messaging-0');
    const second = system.find('messaging-1');
    // messaging-1 leaves (gracefully): messaging-0 is then the only member of the group, and so
    // the owner of every command partition, while the probes below are acknowledged.
    await second.stop();

    const probes: SendRecord[] = [];
    const load = new SendLoad(scenario.users, channels);
    for (const channelId of channels) {
      for (let i = 0; i < 3; i++) {
        const { user, devices } = scenario.users[(probes.length + i) % scenario.users.length] ?? {};
        const device = devices?.[0];
        if (!user || !device) throw new Error('no sender');
        const probe: SendRecord = {
          clientMsgId: randomUUID(),
          channelId,
          senderId: user.id,
          text: `probe ${probes.length}`,
          attempts: 0,
          startedAt: performance.now(),
          acks: [],
          failures: [],
          settled: false,
        };
        probe.message = await waitFor(`probe ${probe.text} to be acknowledged`, async () => {
          probe.attempts++;
          const ack = await device.send({ channelId, clientMsgId: probe.clientMsgId, text: probe.text }, 20_000, () => undefined);
          return ack?.ok ? ack.message : undefined;
        }, 90_000, 500);
        probe.acks.push(probe.message);
        probe.ackedAt = performance.now();
        probe.settled = true;
        probes.push(probe);
      }
    }

    // Under load: messaging-1 rejoins, then the owner of every probe's partition is killed, and
    // each probe is retried (same clientMsgId, another text, the sender's device on the other
    // gateway) until acknowledged, meanwhile the group hands its partitions to messaging-1.
    const running = load.run(LOAD_MS);
    await sleep(3_000);
    await second.start().waitReady(120_000);
    await sleep(2_000);
    await first.kill();
    const retried = new Map<string, Message>();
    await Promise.all(
      probes.map(async (probe) => {
        const sender = scenario.users.find((u) => u.user.id === probe.senderId);
        const device = sender?.devices[1];
        if (!device) throw new Error('no second device');
        const message = await waitFor(`retry of ${probe.text}`, async () => {
          probe.attempts++;
          const ack = await device.send({ channelId: probe.channelId, clientMsgId: probe.clientMsgId, text: `retry of ${probe.text}` }, 20_000, (late) => {
            if (late.ok) probe.acks.push(late.message);
          });
          if (ack && !ack.ok) probe.failures.push(ack.error.code);
          return ack?.ok ? ack.message : undefined;
        }, 180_000, 1_000);
        probe.acks.push(message);
        retried.set(probe.clientMsgId, message);
      }),
    );
    await running;
    await first.start().waitReady(120_000);

    for (const probe of probes) {
      const again = retried.get(probe.clientMsgId);
      expect({ id: again?.id, seq: again?.seq, text: again?.text }).toEqual({ id: probe.message?.id, seq: probe.message?.seq, text: probe.text });
    }
    await checkClean({
      fault: `${probes.length} acknowledged sends retried after SIGKILL of their owner`,
      load,
      extra: probes,
      channelIds: channels,
      reader: scenario.owner,
      readerOrigin: system.gatewayUrl(1),
      syncReader: scenario.deviceOn(1),
      devices: scenario.devices,
    });
  }, 420_000);
});
