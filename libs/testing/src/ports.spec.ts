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

  it('never hands out a port twice, even when the draw repeats', async () => {
    // The same draw three times, then another: the second call must not get the first call's port.
    const draws = [0.5, 0.5, 0.5, 0.25];
    const random = jest.spyOn(Math, 'random').mockImplementation(() => draws.shift() ?? 0.75);
    try {
      const first = await freePort();
      const second = await freePort();
      expect(second).not.toBe(first);
    } finally {
      random.mockRestore();
    }
  });
});
