import { estimateBytes, WriteCoalescer } from './write-coalescer';

/** A send whose requests the test settles by hand. */
function manualSend() {
  const requests: { entries: number[]; settle: (error?: Error) => void }[] = [];
  const send = (entries: number[]) =>
    new Promise<void>((resolve, reject) => requests.push({ entries, settle: (error) => (error ? reject(error) : resolve()) }));
  return { send, requests };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('WriteCoalescer', () => {
  it('sends a write at once while fewer requests than the limit are outstanding, then batches what queued meanwhile', async () => {
    const { send, requests } = manualSend();
    const coalescer = new WriteCoalescer(send, { maxInFlight: 1, maxStatements: 100, maxBytes: 10_000 });
    const settled: number[] = [];
    const write = (n: number) => void coalescer.write(n, 10).then(() => settled.push(n));
    write(1);
    expect(requests.map((r) => r.entries)).toEqual([[1]]);
    write(2);
    write(3);
    write(4);
    expect(requests).toHaveLength(1);
    requests[0].settle();
    await flush();
    expect(settled).toEqual([1]);
    expect(requests.map((r) => r.entries)).toEqual([[1], [2, 3, 4]]);
    requests[1].settle();
    await flush();
    expect(settled).toEqual([1, 2, 3, 4]);
  });

  it('keeps a batch within the statement and byte limits (a single oversized write still leaves alone)', () => {
    const { send, requests } = manualSend();
    const coalescer = new WriteCoalescer(send, { maxInFlight: 10, maxStatements: 2, maxBytes: 100 });
    // Fill the in-flight slots first, so that the next writes queue.
    for (let i = 0; i < 10; i++) void coalescer.write(i, 1);
    expect(requests.map((r) => r.entries)).toEqual([[0], [1], [2], [3], [4], [5], [6], [7], [8], [9]]);
    void coalescer.write(10, 60);
    void coalescer.write(11, 60);
    void coalescer.write(12, 500);
    void coalescer.write(13, 1);
    void coalescer.write(14, 1);
    void coalescer.write(15, 1);
    for (const r of requests.slice(0, 10)) r.settle();
    return flush().then(() => {
      expect(requests.slice(10).map((r) => r.entries)).toEqual([[10], [11], [12], [13, 14], [15]]);
    });
  });

  it('fails every write of a failed batch, and goes on with the next', async () => {
    const { send, requests } = manualSend();
    const coalescer = new WriteCoalescer(send, { maxInFlight: 1, maxStatements: 100, maxBytes: 10_000 });
    const first = coalescer.write(1, 1);
    const second = coalescer.write(2, 1);
    const third = coalescer.write(3, 1);
    requests[0].settle();
    await first;
    requests[1].settle(new Error('node down'));
    await expect(second).rejects.toThrow('node down');
    await expect(third).rejects.toThrow('node down');
    const fourth = coalescer.write(4, 1);
    requests[2].settle();
    await expect(fourth).resolves.toBeUndefined();
    expect(requests.map((r) => r.entries)).toEqual([[1], [2, 3], [4]]);
  });

  it('estimates bytes from text, blobs and collections', () => {
    expect(estimateBytes(['abcd', Buffer.alloc(10), ['xy', 'z'], 42])).toBe(4 + 24 + (10 + 24) + (2 + 24 + 1 + 24 + 64) + 24 + 64);
  });
});
