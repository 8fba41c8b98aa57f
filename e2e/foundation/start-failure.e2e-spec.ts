// A service that cannot start (here: its HTTP port is taken) must exit with an error, so that a
// supervisor (Kubernetes, npm start, the tests' harness) sees it and starts it again. Before, the
// rejected start was only logged as an unhandled rejection and the process stayed up, never ready
// (its engine clients kept it alive): CI waited 104 s for a presence whose port another process
// had taken between the port's probe and its bind.
import { createServer, type Server } from 'node:net';
import { freePort, ServiceProcess, uniqueName } from '@chat/testing';

describe('a service that cannot start', () => {
  let blocker: Server;
  let service: ServiceProcess | undefined;

  afterEach(async () => {
    await service?.stop();
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  });

  it('exits with an error when its port is taken, instead of staying up unready', async () => {
    const port = await freePort();
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    const run = uniqueName('startfail');
    service = new ServiceProcess({
      service: 'presence',
      port,
      name: `${run}-presence`,
      env: { KAFKA_TOPIC_PREFIX: `${run}.`, PRESENCE_REDIS_KEY_PREFIX: `${run}.presence:`, LOG_LEVEL: 'error' },
    }).start();
    // Before the fix the process never exited: this wait ran into the test's timeout.
    const code = await service.exited();
    expect(code).toBe(1);
    expect(service.logs()).toMatch(/could not start; exiting/);
    expect(service.logs()).toMatch(/EADDRINUSE/);
  }, 90_000);
});
