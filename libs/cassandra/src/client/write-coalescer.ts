// Coalesces plain idempotent writes into unlogged batches. A Cassandra request costs the node
// about as much CPU as two or three rows written inside a batch (shared/ENGINE-COSTS.md: a plain
// insert ~350 µs, a row of a batch ~110 µs), so writes issued one by one from many places (the
// store's rows, search terms, ledgers) are handed to one queue and leave as few requests as the
// load allows: with fewer than `maxInFlight` requests outstanding a write leaves at once, so an
// idle system adds no delay; under load, whatever queued while the requests were in flight leaves
// together. Each write's promise settles with its batch.
//
// The batches mix partitions (and tables). That is what saves the requests: on a cluster the
// coordinator forwards each partition's mutation to its replicas, one hop that token-aware
// routing of single writes would spare; the bytes per batch stay well below Cassandra's
// batch_size_fail_threshold (50 KiB by default).

export interface CoalescedWrite<E> {
  entry: E;
  /** An estimate of the bytes the write adds to a batch. */
  bytes: number;
}

export interface CoalescerLimits {
  /** Requests outstanding at once. */
  maxInFlight: number;
  /** Statements per batch. */
  maxStatements: number;
  /** Estimated bytes per batch. */
  maxBytes: number;
}

export const DEFAULT_COALESCER_LIMITS: CoalescerLimits = { maxInFlight: 4, maxStatements: 200, maxBytes: 24 * 1024 };

interface Queued<E> extends CoalescedWrite<E> {
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class WriteCoalescer<E> {
  private queue: Queued<E>[] = [];
  private inFlight = 0;

  constructor(
    private readonly send: (entries: E[]) => Promise<void>,
    private readonly limits: CoalescerLimits = DEFAULT_COALESCER_LIMITS,
  ) {}

  write(entry: E, bytes: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ entry, bytes, resolve, reject });
      this.pump();
    });
  }

  /** Writes queued and not sent yet. */
  get queued(): number {
    return this.queue.length;
  }

  private pump(): void {
    while (this.inFlight < this.limits.maxInFlight && this.queue.length > 0) {
      let count = 0;
      let bytes = 0;
      while (count < this.queue.length && count < this.limits.maxStatements && (count === 0 || bytes + this.queue[count].bytes <= this.limits.maxBytes)) {
        bytes += this.queue[count].bytes;
        count++;
      }
      const taken = this.queue.splice(0, count);
      this.inFlight++;
      this.send(taken.map((q) => q.entry)).then(
        () => this.settle(taken, (q) => q.resolve()),
        (error: unknown) => this.settle(taken, (q) => q.reject(error)),
      );
    }
  }

  private settle(taken: Queued<E>[], each: (q: Queued<E>) => void): void {
    this.inFlight--;
    for (const q of taken) each(q);
    this.pump();
  }
}

/**
 * A generous size of bound values as Cassandra counts a batch (cells carry a timestamp and flags):
 * text and blobs by length plus 24, collections by their items, anything else 24; 64 per row.
 */
export function estimateBytes(values: readonly unknown[]): number {
  let bytes = 0;
  for (const value of values) {
    if (typeof value === 'string') bytes += Buffer.byteLength(value) + 24;
    else if (Buffer.isBuffer(value)) bytes += value.length + 24;
    else if (Array.isArray(value)) bytes += estimateBytes(value);
    else if (value instanceof Map) bytes += estimateBytes([...value.keys(), ...value.values()]);
    else if (value instanceof Set) bytes += estimateBytes([...value]);
    else bytes += 24;
  }
  return bytes + 64;
}
