// Which offset of one partition may be committed when its records finish in any order: the
// records of a partition are worked on side by side (one channel's slow step must not hold the
// others), but a committed offset says "everything below is done", so it only ever moves up to
// the lowest record still unfinished. Offsets are JavaScript numbers (exact below 2^53).
export class OffsetTracker {
  private readonly queue: { offset: number; done: boolean }[] = [];
  private head = 0;
  /** The next offset to read once everything tracked so far below it is done. */
  private next: number | undefined;
  private committed: number | undefined;

  /** Tracks a record (in increasing offset order); call the returned function once it is finished. */
  track(offset: string): () => void {
    const value = Number(offset);
    const last = this.queue[this.queue.length - 1];
    if (last && value <= last.offset) throw new Error(`offset ${offset} tracked after ${last.offset}`);
    const entry = { offset: value, done: false };
    this.queue.push(entry);
    return () => {
      entry.done = true;
      this.advance();
    };
  }

  /** Records tracked and not yet below the commit point. */
  get inFlight(): number {
    return this.queue.length - this.head;
  }

  /** The offset to commit (as Kafka means it: the next one to read) when it moved since the last call. */
  takeCommit(): string | undefined {
    if (this.next === undefined || this.next === this.committed) return undefined;
    this.committed = this.next;
    return String(this.next);
  }

  private advance(): void {
    while (this.head < this.queue.length && this.queue[this.head].done) {
      this.next = this.queue[this.head].offset + 1;
      this.head++;
    }
    // Drop the finished prefix now and then instead of shifting on every record.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }
}
