import { MetricsServer } from './metrics.server';
import { MetricsService } from './metrics.service';

describe('MetricsServer', () => {
  const metrics = new MetricsService();
  metrics.counter('spec_things_total', 'things').inc(3);
  let server: MetricsServer;
  let base: string;

  beforeAll(async () => {
    server = new MetricsServer(metrics);
    base = `http://127.0.0.1:${await server.listen('127.0.0.1', 0)}`;
  });

  afterAll(() => server.onApplicationShutdown());

  it('serves the registry at GET /metrics in the Prometheus text format', async () => {
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await response.text()).toMatch(/^spec_things_total 3$/m);
  });

  it('serves nothing else', async () => {
    for (const [path, method] of [['/', 'GET'], ['/docs', 'GET'], ['/health/ready', 'GET'], ['/metrics', 'POST']] as const) {
      expect({ path, method, status: (await fetch(`${base}${path}`, { method })).status }).toEqual({ path, method, status: 404 });
    }
  });

  it('refuses a second listen, and closes on application shutdown', async () => {
    await expect(server.listen('127.0.0.1', 0)).rejects.toThrow(/already listening/);
    const extra = new MetricsServer(metrics);
    const port = await extra.listen('127.0.0.1', 0);
    expect(extra.port).toBe(port);
    await extra.onApplicationShutdown();
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  });
});
