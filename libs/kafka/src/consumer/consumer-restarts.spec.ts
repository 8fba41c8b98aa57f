import { ConsumerRestarts, type RestartPolicy } from './consumer-restarts';

const policy: RestartPolicy = { attempts: 3, initialDelayMs: 5, maxDelayMs: 10, stableAfterMs: 1_000, rejoinTimeoutMs: 60_000 };
const tick = (ms = 30) => new Promise((resolve) => setTimeout(resolve, ms));

function hooks() {
  const log: string[] = [];
  return {
    log,
    scheduled: (attempt: number) => void log.push(`scheduled ${attempt}`),
    restarted: (attempt: number) => void log.push(`restarted ${attempt}`),
    gaveUp: (attempts: number) => void log.push(`gave up after ${attempts}`),
  };
}

describe('ConsumerRestarts', () => {
  it('starts a consumer that crashed for good again after a delay', async () => {
    let starts = 0;
    const h = hooks();
    const restarts = new ConsumerRestarts(policy, () => Promise.resolve(void starts++), h);
    restarts.crashed(new Error('The coordinator is not aware of this member'));
    expect(restarts.state).toBe('restarting');
    await tick();
    expect(starts).toBe(1);
    expect(restarts.state).toBe('running');
    expect(h.log).toEqual(['scheduled 1', 'restarted 1']);
  });

  it('retries a restart that fails, and gives up after the policy attempts', async () => {
    let starts = 0;
    const h = hooks();
    const restarts = new ConsumerRestarts(policy, () => (starts++, Promise.reject(new Error('ECONNREFUSED'))), h);
    restarts.crashed(new Error('crash'));
    await tick(100);
    expect(starts).toBe(3);
    expect(restarts.state).toBe('given-up');
    expect(h.log).toEqual(['scheduled 1', 'scheduled 2', 'scheduled 3', 'gave up after 3']);
  });

  it('counts a consumer that ran long enough as recovered', async () => {
    let now = 0;
    const h = hooks();
    const restarts = new ConsumerRestarts({ ...policy, attempts: 1 }, () => Promise.resolve(), h, { now: () => now });
    restarts.crashed(new Error('first'));
    await tick();
    now += 5_000;
    restarts.crashed(new Error('much later'));
    await tick();
    expect(restarts.state).toBe('running');
    restarts.crashed(new Error('at once again'));
    expect(restarts.state).toBe('given-up');
  });

  it('does nothing once stopped', async () => {
    let starts = 0;
    const restarts = new ConsumerRestarts(policy, () => Promise.resolve(void starts++), hooks());
    restarts.crashed(new Error('crash'));
    restarts.stop();
    await tick();
    expect(starts).toBe(0);
    expect(restarts.state).toBe('stopped');
  });
});
