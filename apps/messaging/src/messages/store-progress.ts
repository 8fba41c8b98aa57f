// What the store consumer of this process has stored, for the sequencer of the same partitions
// (the co-partitioned assignment keeps partition p of both topics in one process):
//   - a new owner waits until the store has applied its epoch marker, i.e. stored everything the
//     log accepted before it, and only then reads channels' last seqs from Cassandra;
//   - an edit, delete or reaction waits until the sends sequenced before it in its channel are
//     stored, so it applies to them in the order the channel's commands were issued.
import { Injectable } from '@nestjs/common';

interface Waiter {
  atLeast: number;
  resolve: () => void;
}

class Watermarks {
  private readonly values = new Map<string, number>();
  private readonly waiters = new Map<string, Waiter[]>();

  advance(key: string, value: number): void {
    if (value <= (this.values.get(key) ?? 0)) return;
    this.values.set(key, value);
    const waiting = this.waiters.get(key);
    if (!waiting) return;
    const still = waiting.filter((w) => {
      if (w.atLeast > value) return true;
      w.resolve();
      return false;
    });
    if (still.length > 0) this.waiters.set(key, still);
    else this.waiters.delete(key);
  }

  reach(key: string, atLeast: number): Promise<void> {
    if ((this.values.get(key) ?? 0) >= atLeast) return Promise.resolve();
    return new Promise((resolve) => {
      const list = this.waiters.get(key) ?? [];
      list.push({ atLeast, resolve });
      this.waiters.set(key, list);
    });
  }
}

@Injectable()
export class StoreProgress {
  private readonly epochs = new Watermarks();
  private readonly seqs = new Watermarks();

  /** The store applied the partition's marker of `epoch` (everything before it is stored). */
  epochApplied(partition: number, epoch: number): void {
    this.epochs.advance(String(partition), epoch);
  }

  epochReached(partition: number, epoch: number): Promise<void> {
    return this.epochs.reach(String(partition), epoch);
  }

  /** The channel's messages up to `seq` are stored. */
  stored(channelId: string, seq: number): void {
    this.seqs.advance(channelId, seq);
  }

  storedUpTo(channelId: string, seq: number): Promise<void> {
    return this.seqs.reach(channelId, seq);
  }
}
