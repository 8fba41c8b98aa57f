// What the store consumer of this process has stored, for the sequencer of the same partitions
// (the co-partitioned assignment keeps partition p of both topics in one process):
//   - a new owner waits until the store has applied its epoch marker, i.e. stored everything the
//     log accepted before it, and only then reads channels' last seqs from Cassandra;
//   - an edit, delete or reaction waits until the sends sequenced before it in its channel are
//     stored, so it applies to them in the order the channel's commands were issued.
//
// Per channel it follows only the channels a sequencer holds in memory: the sequencer `track`s a
// channel with the last seq it read from Cassandra, and `forget`s it when it evicts the channel
// (or is revoked). The store's `stored` moves only followed channels; an unfollowed one costs no
// memory and is never waited on (the sequencer tracks a channel before it waits on it).
import { Injectable } from '@nestjs/common';

interface Waiter {
  atLeast: number;
  resolve: () => void;
}

class Watermarks {
  private readonly values = new Map<string, number>();
  private readonly waiters = new Map<string, Waiter[]>();

  /** Followed: it has a value or someone waits on it. */
  follows(key: string): boolean {
    return this.values.has(key) || this.waiters.has(key);
  }

  value(key: string): number {
    return this.values.get(key) ?? 0;
  }

  get size(): number {
    return this.values.size;
  }

  advance(key: string, value: number): void {
    if (this.values.has(key) && value <= (this.values.get(key) ?? 0)) return;
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

  /** Drops the value unless someone waits on it (a waiter must see every later advance). */
  forget(key: string): boolean {
    if (this.waiters.has(key)) return false;
    this.values.delete(key);
    return true;
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

  /**
   * The sequencer follows the channel from here: its messages up to `seq` are stored (it read
   * `seq` from Cassandra). Must come before any of its new sends can be stored, so that no
   * `stored` of the channel is missed: the sequencer calls it before it sequences the channel.
   */
  track(channelId: string, seq: number): void {
    this.seqs.advance(channelId, seq);
  }

  /** The store stored the channel's messages up to `seq` (ignored for a channel nobody follows). */
  stored(channelId: string, seq: number): void {
    if (this.seqs.follows(channelId)) this.seqs.advance(channelId, seq);
  }

  /** Settles once the channel's messages up to `seq` are stored; only for a channel `track`ed. */
  storedUpTo(channelId: string, seq: number): Promise<void> {
    return this.seqs.reach(channelId, seq);
  }

  /** How far the channel is known stored (0 when it is not followed). */
  storedAt(channelId: string): number {
    return this.seqs.value(channelId);
  }

  /** Stops following the channel, unless someone waits on it; whether it was forgotten. */
  forget(channelId: string): boolean {
    return this.seqs.forget(channelId);
  }

  /** Channels followed (a gauge, and what the memory specs bound). */
  get channels(): number {
    return this.seqs.size;
  }
}
