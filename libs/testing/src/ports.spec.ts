import { createServer } from 'node:net';
import { freePort, PICKED_PORTS } from './ports';

describe('freePort', () => {
  it('gives ports below the kernel\u2019s ephemeral range that can be bound', async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(PICKED_PORTS.first);
      expect(port).toBeLessThanOrEqual(PICKED_PORTS.last);
    }
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(ports[0], '127.0.0.1', resolve));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
