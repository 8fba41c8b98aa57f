// Issue 2: killing a service's engine makes that service's readiness fail, and readiness comes
// back when the engine returns, without restarting the service. Each engine is cut off with a TCP
// proxy between the services and the real engine (the engine itself keeps serving everyone else);
// Kafka through its failure-test listener, which advertises the proxy's port.
import { KAFKA_FAULT_PORT, KAFKA_FAULT_PROXY_PORT } from '@chat/infra';
import { freePort, TcpProxy, waitFor } from '@chat/testing';
import { type ServiceName, TestSystem } from '../support/test-system';

type Engine = 'postgres' | 'redis' | 'cassandra' | 's3' | 'kafka';

const OWNERS: Record<Engine, ServiceName[]> = {
  postgres: ['auth', 'files'],
  // The gateway uses Redis too, but can do without it: it stays ready, degraded
  // (e2e/gateway/redis-outage.e2e-spec.ts).
  redis: ['auth', 'presence'],
  cassandra: ['messaging'],
  s3: ['files'],
  kafka: ['auth', 'messaging', 'presence', 'files', 'gateway'],
};

interface Readiness {
  status: number;
  failing: string[];
}

describe('engine outage', () => {
  const proxies = {} as Record<Engine, TcpProxy>;
  let system: TestSystem;

  beforeAll(async () => {
    proxies.postgres = new TcpProxy(await freePort(), '127.0.0.1', 5432);
    proxies.redis = new TcpProxy(await freePort(), '127.0.0.1', 6379);
    proxies.cassandra = new TcpProxy(await freePort(), '127.0.0.1', 9042);
    proxies.s3 = new TcpProxy(await freePort(), '127.0.0.1', 9000);
    proxies.kafka = new TcpProxy(KAFKA_FAULT_PROXY_PORT, '127.0.0.1', KAFKA_FAULT_PORT);
    await Promise.all(Object.values(proxies).map((proxy) => proxy.up()));
    const at = (engine: Engine): string => `127.0.0.1:${proxies[engine].port}`;
    system = await TestSystem.start({
      engines: { postgres: at('postgres'), redis: at('redis'), cassandra: at('cassandra'), s3: at('s3'), kafka: at('kafka') },
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

  it.each(Object.keys(OWNERS) as Engine[])('%s: owners turn unready while it is gone and ready again when it returns', async (engine) => {
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
