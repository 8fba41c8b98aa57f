// Issue 13, "Faults the tests must survive", for the engines: the Kafka broker, then Cassandra, is
// killed with SIGKILL while four users send to six channels, and restarted. The shared engines
// serve every other test on the machine and are never touched: this file starts a private Kafka
// and a private Cassandra (tools/infra's private-engine.ts: own ports, own data directory, 1 GiB
// Cassandra heap) and points its system at them. PostgreSQL and Redis are the shared ones (auth
// and the gateway's rate limits; neither is killed here). The checker and its assertions are
// those of send-faults.e2e-spec.ts.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { LOCAL_ENGINES } from '@chat/infra';
import { privateCassandra, privateKafka, type PrivateEngine } from '@chat/infra/private-engine';
import { dropRunData, freePort, sleep } from '@chat/testing';
import { FaultScenario } from '../support/fault-scenario';
import { checkClean } from '../support/send-checker';
import { SendLoad } from '../support/send-load';
import { TestSystem } from '../support/test-system';

const LOAD_MS = Number(process.env['FAULT_LOAD_MS'] ?? 30_000);
const USERS = 4;
const GATEWAYS = 2;
const CHANNELS = 6;
/** How long the engine stays dead before it is restarted. */
const DOWN_MS = 5_000;

describe('send path under load: engine faults (private Kafka and Cassandra)', () => {
  let kafka: PrivateEngine | undefined;
  let cassandra: PrivateEngine | undefined;
  let system: TestSystem | undefined;
  let scenario: FaultScenario;
  let dir: string | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'chat-send-faults-'));
    kafka = await privateKafka({ dir: path.join(dir, 'kafka'), port: await freePort(), controllerPort: await freePort() });
    cassandra = await privateCassandra({
      dir: path.join(dir, 'cassandra'),
      port: await freePort(),
      storagePort: await freePort(),
      jmxPort: await freePort(),
    });
    // One after the other: two JVMs booting at once on two cores take longer than in turn.
    await kafka.start();
    await cassandra.start();
    system = await TestSystem.start({
      services: ['auth', 'messaging', 'gateway'],
      gateways: GATEWAYS,
      messaging: 2,
      gatewayMessaging: 'spread',
      engines: { kafka: kafka.endpoint, cassandra: cassandra.endpoint },
      env: { gateway: { SEND_RATE_LIMIT: '2000/1s,10000/5s' } },
    });
    scenario = await FaultScenario.start(system, USERS, GATEWAYS);
  }, 480_000);

  afterAll(async () => {
    scenario?.close();
    await system?.stop();
    // Topics and keyspace die with the private engines; the auth database is on the shared PostgreSQL.
    if (system) await dropRunData({ databases: system.databases }, LOCAL_ENGINES);
    await kafka?.destroy();
    await cassandra?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 120_000);


  async function underLoad(name: string, engine: () => PrivateEngine | undefined): Promise<void> {
    const target = engine();
    if (!system || !target) throw new Error('not started');
    const channels = await scenario.newChannels(CHANNELS, name);
    const load = new SendLoad(scenario.users, channels);
    const running = load.run(LOAD_MS);
    await sleep(5_000);
    await target.kill();
    await sleep(DOWN_MS);
    const restarting = Date.now();
    await target.start();
    const restartSeconds = (Date.now() - restarting) / 1000;
    await running;

    await checkClean({
      fault: `SIGKILL ${name}, restarted after ${DOWN_MS / 1000} s (answering ${restartSeconds.toFixed(1)} s later)`,
      load,
      channelIds: channels,
      reader: scenario.owner,
      readerOrigin: system.gatewayUrl(0),
      syncReader: scenario.deviceOn(0),
      devices: scenario.devices,
      settleMs: 90_000,
    });
  }

  it('kill -9 of the Kafka broker under load, then a restart', () => underLoad('kafka', () => kafka), 420_000);

  it('kill -9 of Cassandra under load, then a restart', () => underLoad('cassandra', () => cassandra), 420_000);
});
