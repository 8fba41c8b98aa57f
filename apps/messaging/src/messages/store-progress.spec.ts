// StoreProgress follows only the channels a sequencer tracks: a forgotten channel costs no memory,
// and forgetting never makes a waiter resolve early or wait for a store that already happened.
import { StoreProgress } from './store-progress';

const settled = async (promise: Promise<void>): Promise<boolean> => {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};

describe('StoreProgress', () => {
  it('moves a tracked channel with the store, and ignores channels nobody follows', () => {
    const progress = new StoreProgress();
    progress.track('a', 3);
    progress.stored('a', 5);
    progress.stored('b', 7);
    expect(progress.storedAt('a')).toBe(5);
    expect(progress.storedAt('b')).toBe(0);
    expect(progress.channels).toBe(1);
  });

  it('follows a channel tracked at 0 (a channel without messages yet)', () => {
    const progress = new StoreProgress();
    progress.track('a', 0);
    progress.stored('a', 1);
    expect(progress.storedAt('a')).toBe(1);
  });

  it('resolves a waiter only once its seq is stored', async () => {
    const progress = new StoreProgress();
    progress.track('a', 1);
    const waiting = progress.storedUpTo('a', 3);
    progress.stored('a', 2);
    expect(await settled(waiting)).toBe(false);
    progress.stored('a', 3);
    expect(await settled(waiting)).toBe(true);
  });

  it('does not forget a channel someone waits on, and forgets it afterwards', async () => {
    const progress = new StoreProgress();
    progress.track('a', 1);
    const waiting = progress.storedUpTo('a', 2);
    expect(progress.forget('a')).toBe(false);
    progress.stored('a', 2);
    expect(await settled(waiting)).toBe(true);
    expect(progress.forget('a')).toBe(true);
    expect(progress.channels).toBe(0);
    // Tracked again (read back from Cassandra): an edit waiting for what is stored passes at once.
    progress.track('a', 2);
    expect(await settled(progress.storedUpTo('a', 2))).toBe(true);
  });
});
