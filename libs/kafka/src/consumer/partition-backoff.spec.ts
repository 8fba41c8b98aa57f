import { PartitionBackoff } from './partition-backoff';

const ref = { topic: 't', partition: 1 };

function pauser(): { pause: () => () => void; pauses: number; resumes: number } {
  const p = {
    pauses: 0,
    resumes: 0,
    pause: () => {
      p.pauses++;
      return () => void p.resumes++;
    },
  };
  return p;
}

describe('PartitionBackoff', () => {
  it('pauses the partition and resumes it after a delay that grows while the same record keeps failing', async () => {
    const backoff = new PartitionBackoff({ maxAttempts: Number.POSITIVE_INFINITY, initialDelayMs: 5, maxDelayMs: 20, multiplier: 2 }, { random: () => 0.5 });
    const p = pauser();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const verdict = backoff.failed(ref, '7', p.pause);
      if (verdict.kind !== 'paused') throw new Error('expected a pause');
      delays.push(verdict.delayMs);
      expect(backoff.isPaused(ref)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, verdict.delayMs + 5));
      expect(backoff.isPaused(ref)).toBe(false);
    }
    expect(delays).toEqual([5, 10, 20, 20]);
    expect([p.pauses, p.resumes]).toEqual([4, 4]);
    expect(backoff.succeeded(ref).attempts).toBe(4);
    expect(backoff.succeeded(ref).attempts).toBe(0);
  });

  it('starts counting again for another record, and gives up only when the policy is bounded', () => {
    const backoff = new PartitionBackoff({ maxAttempts: 2, initialDelayMs: 5, maxDelayMs: 5, multiplier: 2 });
    const p = pauser();
    expect(backoff.failed(ref, '1', p.pause).kind).toBe('paused');
    expect(backoff.failed(ref, '2', p.pause).kind).toBe('paused');
    expect(backoff.failed(ref, '2', p.pause)).toEqual({ kind: 'give-up', attempts: 2 });
    backoff.close();
    expect(backoff.paused).toBe(0);
  });
});
