// Exactly-once `message:new` per gateway instance: the highest seq emitted per channel, in a
// bounded LRU map. Messaging may publish an event again after a crash (at-least-once), and a
// restarted consumer may re-read records it had not committed; an event whose seq is not above the
// channel's highest is a repeat and is dropped. A channel forgotten by the LRU starts afresh, so
// a repeat arriving after its channel was evicted would pass: with the default 100,000 channels
// that needs 100,000 other channels to speak between an event and its repeat.
export class SeqDeduplicator {
  private readonly highest = new Map<string, number>();

  constructor(private readonly maxChannels: number) {
    if (maxChannels < 1) throw new Error('maxChannels must be at least 1');
  }

  /** True the first time a seq above the channel's highest is seen (and remembers it). */
  admit(channelId: string, seq: number): boolean {
    const last = this.highest.get(channelId);
    if (last !== undefined && seq <= last) {
      this.touch(channelId, last);
      return false;
    }
    this.touch(channelId, seq);
    return true;
  }

  get size(): number {
    return this.highest.size;
  }

  private touch(channelId: string, seq: number): void {
    // A Map iterates in insertion order: re-inserting moves the channel to the young end.
    this.highest.delete(channelId);
    this.highest.set(channelId, seq);
    if (this.highest.size > this.maxChannels) {
      const oldest = this.highest.keys().next().value;
      if (oldest !== undefined) this.highest.delete(oldest);
    }
  }
}
