import { MessageBuckets } from './message-buckets';

describe('MessageBuckets', () => {
  const buckets = new MessageBuckets(1000);

  it('maps seqs to buckets of size consecutive seqs', () => {
    expect([1, 999, 1000, 1999, 2000].map((s) => buckets.of(s))).toEqual([0, 0, 1, 1, 2]);
    expect(buckets.lastSeqOf(0)).toBe(999);
    expect(buckets.firstSeqOf(2)).toBe(2000);
  });

  it('splits a seq range into per-bucket spans', () => {
    expect(buckets.spans(990, 2005)).toEqual([
      { bucket: 0, from: 990, to: 999 },
      { bucket: 1, from: 1000, to: 1999 },
      { bucket: 2, from: 2000, to: 2005 },
    ]);
    expect(buckets.spans(5, 4)).toEqual([]);
  });

  it('refuses sizes that cannot hold a message', () => {
    expect(() => new MessageBuckets(1)).toThrow('>= 2');
  });
});
