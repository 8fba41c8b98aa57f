import { TurnQueue } from './mutex';

describe('TurnQueue', () => {
  it('runs turns in reservation order, even when a later one asks first', async () => {
    const queue = new TurnQueue();
    const first = queue.reserve();
    const second = queue.reserve();
    const order: string[] = [];
    const late = (async () => {
      await second.take();
      order.push('second');
      second.release();
    })();
    await new Promise((r) => setTimeout(r, 10));
    await first.take();
    order.push('first');
    first.release();
    await late;
    expect(order).toEqual(['first', 'second']);
  });

  it('does not let a turn start before every earlier turn is released', async () => {
    const queue = new TurnQueue();
    const a = queue.reserve();
    const b = queue.reserve();
    const c = queue.reserve();
    await a.take();
    b.release(); // b did not need its turn
    let cStarted = false;
    const cRun = c.take().then(() => {
      cStarted = true;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(cStarted).toBe(false);
    a.release();
    await cRun;
    expect(cStarted).toBe(true);
  });
});
