// Issue 2's promises about every service: it starts from its entry point and reports ready with
// the engines it owns; it refuses a malformed variable at once, naming it; it serves liveness,
// metrics and its OpenAPI document; SIGTERM stops it cleanly.
import { freePort, ServiceProcess, uniqueName, waitFor } from '@chat/testing';
import { type ServiceName, TestSystem } from '../support/test-system';

const ENGINES: Record<ServiceName, string[]> = {
  auth: ['kafka', 'postgres', 'redis'],
  messaging: ['cassandra', 'kafka'],
  presence: ['kafka', 'redis'],
  files: ['kafka', 'postgres', 's3'],
  gateway: ['kafka', 'redis'],
};

interface ReadyBody {
  status: string;
  details: Record<string, { status: string }>;
}

describe('every service', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await TestSystem.start();
  });

  afterAll(async () => {
    await system?.stop();
    await system?.dropData();
  });

  it.each(Object.keys(ENGINES) as ServiceName[])('%s is ready with exactly the engines it owns', async (service) => {
    const process = system.find(service === 'gateway' || service === 'messaging' ? `${service}-0` : service);
    // Polled: on a loaded 2-core machine one engine check can miss its 1.5 s deadline now and then.
    const body = await waitFor(`${service} ready`, async () => {
      const response = await fetch(`${process.url}/health/ready`);
      return response.status === 200 ? ((await response.json()) as ReadyBody) : undefined;
    }, 30_000, 500);
    expect(Object.keys(body.details).sort()).toEqual(ENGINES[service]);
    for (const engine of ENGINES[service]) expect(body.details[engine]?.status).toBe('up');
  });

  it.each(Object.keys(ENGINES) as ServiceName[])('%s serves liveness, Prometheus metrics and its OpenAPI document', async (service) => {
    const name = service === 'gateway' || service === 'messaging' ? `${service}-0` : service;
    const process = system.find(name);
    expect((await fetch(`${process.url}/health/live`)).status).toBe(200);
    // Metrics on the internal port only: the public port does not serve them.
    expect((await fetch(`${process.url}/metrics`)).status).toBe(404);
    const metrics = await (await fetch(`${system.metricsUrl(name)}/metrics`)).text();
    expect(metrics).toContain(`process_cpu_user_seconds_total{service="${service}"`);
    const docs = (await (await fetch(`${process.url}/docs-json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(docs.openapi).toBe('3.1.0');
  });

  it('answers an unknown route with the protocol error body', async () => {
    const response = await fetch(`${system.find('auth').url}/no/such/route`);
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('not_found');
    expect(body.error.message).toBe('no such route');
  });
});

describe('a malformed variable', () => {
  it.each(Object.keys(ENGINES) as ServiceName[])('%s exits non-zero at once, naming KAFKA_BROKERS and PORT', async (service) => {
    const process = new ServiceProcess({ service, port: await freePort(), env: { KAFKA_BROKERS: '::', PORT: 'eighty' } });
    process.start();
    expect(await process.exited()).toBe(1);
    expect(process.logs()).toContain('KAFKA_BROKERS: must be a comma-separated list of host:port (got "::")');
    expect(process.logs()).toContain('PORT: must be a port number');
  });
});

describe('SIGTERM', () => {
  it('drains and exits 0', async () => {
    const presence = new ServiceProcess({ service: 'presence', port: await freePort(), env: { KAFKA_TOPIC_PREFIX: `${uniqueName('sig')}.` } }).start();
    await presence.waitReady();
    expect(await presence.stop()).toBe(0);
    expect(presence.logs()).not.toContain('"level":50');
  });
});
