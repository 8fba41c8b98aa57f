// Issue 16: the send path's "kill the broker under load" on RabbitMQ. The RabbitMQ of the
// project's machines is a shared system service, so it is never killed: every connection of this
// run goes through a TCP proxy (e2e/support/engine-proxies.ts) and the proxy is cut for 5 s while
// four users send to six channels, then restored. To the services that is a broker crash (every
// channel, consumer and lease dropped at once, confirms outstanding) followed by a restart that
// kept its streams and queues, as a durable node's restart does. Afterwards the checker of
// send-faults.e2e-spec.ts asserts nothing acknowledged was lost, duplicated or reordered.
// The RabbitMQ pass of `npm test` runs it (jest.config.js, project e2e-rabbitmq); Kafka's
// counterpart, with a private broker killed with SIGKILL, is send-faults-engines.e2e-spec.ts.
import { sleep, type TcpProxy } from '@chat/testing';
import { rabbitmqProxy } from '../support/engine-proxies';
import { FaultScenario } from '../support/fault-scenario';
import { checkClean } from '../support/send-checker';
import { SendLoad } from '../support/send-load';
import { TestSystem } from '../support/test-system';

const LOAD_MS = Number(process.env['FAULT_LOAD_MS'] ?? 30_000);
const USERS = 4;
const GATEWAYS = 2;
const CHANNELS = 6;
/** How long the broker stays unreachable. */
const DOWN_MS = 5_000;

describe('send path under load: RabbitMQ cut off and back (through a proxy)', () => {
  let proxy: TcpProxy | undefined;
  let system: TestSystem;
  let scenario: FaultScenario;

  beforeAll(async () => {
    proxy = await rabbitmqProxy();
    await proxy.up();
    system = await TestSystem.start({
      bus: 'rabbitmq',
      services: ['auth', 'messaging', 'gateway'],
      gateways: GATEWAYS,
      messaging: 2,
      gatewayMessaging: 'spread',
      engines: { rabbitmq: `127.0.0.1:${proxy.port}` },
      env: { gateway: { SEND_RATE_LIMIT: '2000/1s,10000/5s' } },
      // Two messaging instances settling their leases on a busy 2-core machine take longer than
      // the default start budget; the hook's own timeout is 240 s.
      startTimeoutMs: 200_000,
    });
    scenario = await FaultScenario.start(system, USERS, GATEWAYS);
  }, 240_000);

  afterAll(async () => {
    scenario?.close();
    // Up while the services stop: a process closing its bus with the broker unreachable waits for
    // its shutdown deadline.
    await proxy?.up();
    await system?.stop();
    await system?.dropData();
    await proxy?.down();
  }, 120_000);


  it('every connection to RabbitMQ cut for 5 s under load, then the broker reachable again', async () => {
    if (!proxy) throw new Error('no proxy');
    const channels = await scenario.newChannels(CHANNELS, 'broker-cut');
    const load = new SendLoad(scenario.users, channels);
    const running = load.run(LOAD_MS);
    await sleep(5_000);
    await proxy.down();
    await sleep(DOWN_MS);
    await proxy.up();
    await running;

    await checkClean({
      fault: `RabbitMQ cut off for ${DOWN_MS / 1000} s under load`,
      load,
      channelIds: channels,
      reader: scenario.owner,
      readerOrigin: system.gatewayUrl(0),
      syncReader: scenario.deviceOn(0),
      devices: scenario.devices,
      settleMs: 90_000,
    });
    // Every process recovered by itself: none was restarted.
    for (const process of system.processes) expect({ name: process.name, running: process.running }).toEqual({ name: process.name, running: true });
  }, 420_000);
});
