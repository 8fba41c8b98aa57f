// Pauses a partition while one of its records cannot be handled (an engine the handler needs is
// down), and resumes it after a backoff that grows with each failure of that same record. The
// client stops fetching a paused partition, so nothing behind the failing record is handled or
// committed, the other partitions go on, and the group membership stays alive (no long work
// inside a batch callback). When the partition is resumed the client fetches again from the last
// resolved offset, that is, from the failing record.
//
// Client-independent and shared: the classic consumer (PartitionProcessor) uses it, and a
// pipelined consumer can use it the same way (`pause` is kafkajs's eachBatch `pause()`).
import { backoffDelay, type RetryPolicy } from './retry.policy';

export interface PartitionRef {
  readonly topic: string;
  readonly partition: number;
}

/** Pauses the partition and returns the function that resumes it (kafkajs's eachBatch `pause`). */
export type PauseFn = () => () => void;

export type FailureVerdict =
  /** The partition is paused; the record is fetched again after `delayMs`. */
  | { kind: 'paused'; attempts: number; delayMs: number }
  /** The policy's attempts are spent: the caller parks the record. */
  | { kind: 'give-up'; attempts: number };

export interface PartitionBackoffDeps {
  random?: () => number;
  now?: () => number;
  /** Called when a paused partition is resumed (for the paused-partitions gauge). */
  onResume?: (ref: PartitionRef) => void;
}

interface Failing {
  offset: string;
  attempts: number;
  since: number;
}

const keyOf = (ref: PartitionRef): string => `${ref.topic}/${ref.partition}`;

export class PartitionBackoff {
  private readonly failing = new Map<string, Failing>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(
    private readonly policy: RetryPolicy,
    private readonly deps: PartitionBackoffDeps = {},
  ) {
    this.random = deps.random ?? Math.random;
    this.now = deps.now ?? Date.now;
  }

  /**
   * The record at `offset` failed, and not for good. Counts the attempt and, unless the policy's
   * attempts are spent, pauses the partition until the backoff has passed.
   */
  failed(ref: PartitionRef, offset: string, pause: PauseFn): FailureVerdict {
    const key = keyOf(ref);
    const previous = this.failing.get(key);
    const entry: Failing = previous?.offset === offset ? { ...previous, attempts: previous.attempts + 1 } : { offset, attempts: 1, since: this.now() };
    this.failing.set(key, entry);
    if (entry.attempts >= Math.max(1, this.policy.maxAttempts)) {
      this.failing.delete(key);
      return { kind: 'give-up', attempts: entry.attempts };
    }
    const delayMs = backoffDelay(this.policy, entry.attempts, this.random);
    const resume = pause();
    clearTimeout(this.timers.get(key));
    const timer = setTimeout(() => {
      this.timers.delete(key);
      resume();
      this.deps.onResume?.(ref);
    }, delayMs);
    // A pending resume never keeps a stopping process alive.
    timer.unref();
    this.timers.set(key, timer);
    return { kind: 'paused', attempts: entry.attempts, delayMs };
  }

  /**
   * A record of the partition was finished (handled or parked): forgets its failures. Returns how
   * many failed attempts and milliseconds it took to get there (0 when it never failed).
   */
  succeeded(ref: PartitionRef): { attempts: number; afterMs: number } {
    const key = keyOf(ref);
    const entry = this.failing.get(key);
    if (!entry) return { attempts: 0, afterMs: 0 };
    this.failing.delete(key);
    return { attempts: entry.attempts, afterMs: this.now() - entry.since };
  }

  /** True while the partition waits for its resume (a batch fetched before the pause is ignored). */
  isPaused(ref: PartitionRef): boolean {
    return this.timers.has(keyOf(ref));
  }

  /** Partitions currently paused. */
  get paused(): number {
    return this.timers.size;
  }

  /** Forgets every pending resume (the consumer is stopping; its client goes with it). */
  close(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.failing.clear();
  }
}
