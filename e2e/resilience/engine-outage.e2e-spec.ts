// Issue 2: killing a service's engine makes that service's readiness fail, and readiness comes
// back when the engine returns, without restarting the service. Each engine is cut off with a TCP
// proxy between the services and the real engine (the engine itself keeps serving everyone else);
// Kafka through its failure-test listener, which advertises the proxy's port.
import { waitFor } from '@chat/testing';
import { type Engine, type EngineProxies, openEngineProxies, throughProxies } from '../support/engine-proxies';
import { type ServiceName, testBus, TestSystem } from '../support/test-system';

const OWNERS: Record<Engine, ServiceName[]> = {
  postgres: ['auth', 'files'],
  // The gateway uses Redis too, but can do without it: it stays ready, degraded
  // (e2e/gateway/redis-outage.e2e-spec.ts).
  redis: ['auth', 'presence'],
  cassandra: ['messaging'],
  s3: ['files'],
  kafka: ['auth', 'messaging', 'presence', 'files', 'gateway'],
  rabbitmq: ['auth', 'messaging', 'presence', 'files', 'gateway'],
};
/** The engines of this run: the broker of its bus, not the other one. */
const ENGINES = (Object.keys(OWNERS) as Engine[]).filter((engine) => engine !== (testBus() === 'kafka' ? 'rabbitmq' : 'kafka'));

interface Readiness {
  status: number;
  failing: string[];
}

describe('engine outage', () => {
  // Empty until beforeAll opened them, so afterAll has nothing to close if that failed first.
  let proxies = {} as EngineProxies;
  let system: TestSystem;

  beforeAll(async () => {
    proxies = await openEngineProxies();
    system = await TestSystem.start({
      engines: throughProxies(proxies),
    });
  });

  afterAll(async () => {
    await Promise.all(Object.values(proxies).map((proxy) => proxy.up()));
    await system?.stop();
    await system?.dropData();
    await Promise.all(Object.values(proxies).map((proxy) => proxy.down()));
  });

  async function readiness(service: ServiceName): Promise<Readiness> {
    const process = system.find(service === 'gateway' || service === 'messaging' ? `${service}-0` : service);
    const response = await fetch(`${process.url}/health/ready`);
    const body = (await response.json()) as { details?: { error?: Record<string, unknown> } };
    return { status: response.status, failing: Object.keys(body.details?.error ?? {}) };
  }

  it.each(ENGINES)('%s: owners turn unready while it is gone and ready again when it returns', async (engine) => {
    const owners = OWNERS[engine];
    for (const service of owners) expect((await readiness(service)).status).toBe(200);

    await proxies[engine].down();
    for (const service of owners) {
      const state = await waitFor(`${service} to report ${engine} down`, async () => {
        const r = await readiness(service);
        return r.status === 503 && r.failing.includes(engine) ? r : undefined;
      }, 30_000, 250);
      expect(state.failing).toContain(engine);
    }
    // Services that do not own the engine stay ready.
    const others = (['auth', 'messaging', 'presence', 'files', 'gateway'] as ServiceName[]).filter((s) => !owners.includes(s));
    for (const service of others) expect((await readiness(service)).status).toBe(200);
    for (const service of owners) expect(system.find(service === 'gateway' || service === 'messaging' ? `${service}-0` : service).running).toBe(true);

    await proxies[engine].up();
    for (const service of owners) {
      await waitFor(`${service} to be ready again after ${engine} returned`, async () => (await readiness(service)).status === 200, 60_000, 250);
    }
  }, 180_000);
});
