import { SeqDeduplicator } from './seq-dedup';

describe('SeqDeduplicator', () => {
  it('admits increasing seqs and drops repeats and older ones, per channel', () => {
    const dedup = new SeqDeduplicator(10);
    expect(dedup.admit('a', 1)).toBe(true);
    expect(dedup.admit('a', 2)).toBe(true);
    expect(dedup.admit('a', 2)).toBe(false);
    expect(dedup.admit('a', 1)).toBe(false);
    expect(dedup.admit('b', 1)).toBe(true);
    expect(dedup.admit('a', 5)).toBe(true); // a gap is not ours to fix: clients sync
    expect(dedup.admit('a', 4)).toBe(false);
  });

  it('admits the first seq it sees for a channel, whatever it is (consumers start at the latest offset)', () => {
    const dedup = new SeqDeduplicator(10);
    expect(dedup.admit('a', 4_711)).toBe(true);
  });

  it('keeps at most maxChannels, forgetting the least recently used', () => {
    const dedup = new SeqDeduplicator(2);
    dedup.admit('a', 1);
    dedup.admit('b', 1);
    dedup.admit('a', 1); // a repeat still counts as use: a is now younger than b
    dedup.admit('c', 1);
    expect(dedup.size).toBe(2);
    expect(dedup.admit('a', 1)).toBe(false); // remembered
    expect(dedup.admit('b', 1)).toBe(true); // forgotten, so admitted again
  });

  it('refuses a size below one', () => {
    expect(() => new SeqDeduplicator(0)).toThrow();
  });
});
