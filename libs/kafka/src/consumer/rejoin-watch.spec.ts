import { RejoinWatch, type RejoinTimers } from './rejoin-watch';

/** Timers the test fires by hand. */
function manualTimers(): RejoinTimers & { fire(): void; pending(): number } {
  const callbacks = new Map<number, () => void>();
  let next = 0;
  return {
    set: (callback) => {
      callbacks.set(++next, callback);
      return next;
    },
    clear: (handle) => void callbacks.delete(handle as number),
    fire: () => {
      const due = [...callbacks.values()];
      callbacks.clear();
      due.forEach((callback) => callback());
    },
    pending: () => callbacks.size,
  };
}

describe('RejoinWatch', () => {
  it('reports a consumer that kafkajs restarted and that never fetched again, once', () => {
    const timers = manualTimers();
    const stalled = jest.fn();
    const watch = new RejoinWatch(60_000, stalled, timers);
    watch.restarting();
    timers.fire();
    watch.restarting();
    timers.fire();
    expect(stalled).toHaveBeenCalledTimes(1);
  });

  it('stays quiet when the restarted consumer fetches again in time', () => {
    const timers = manualTimers();
    const stalled = jest.fn();
    const watch = new RejoinWatch(60_000, stalled, timers);
    watch.restarting();
    watch.fetched();
    timers.fire();
    expect(stalled).not.toHaveBeenCalled();
  });

  it('watches nothing before a restart, and nothing once closed', () => {
    const timers = manualTimers();
    const stalled = jest.fn();
    const watch = new RejoinWatch(60_000, stalled, timers);
    watch.fetched();
    expect(timers.pending()).toBe(0);
    watch.restarting();
    watch.close();
    watch.restarting();
    timers.fire();
    expect(stalled).not.toHaveBeenCalled();
  });
});
