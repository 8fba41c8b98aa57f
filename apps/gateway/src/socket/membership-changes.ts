// Closes the race between a connecting socket's memberships fetch and the membership events the
// gateway consumes meanwhile: the socket is not in its user room yet, so a `joined`/`left` that
// arrives during the fetch would miss it. Every change is recorded here with a sequence number;
// the handshake notes the number before fetching, and the connection replays what came after.
// Bounded by age and count; a fetch that outlives the window is no worse off than without it.
import { Inject, Injectable } from '@nestjs/common';
import { type Channel } from '@chat/contracts';
import { APP_CONFIG } from '@chat/service-kit';
import { Clock } from '../common/clock';
import { type GatewayConfig } from '../config';

export interface MembershipChange {
  userId: string;
  channel: Channel;
  change: 'joined' | 'left';
}

interface Entry extends MembershipChange {
  n: number;
  at: number;
}

@Injectable()
export class RecentMembershipChanges {
  /** At most this many changes are kept; the oldest are forgotten first. */
  protected readonly maxEntries: number = 100_000;
  private readonly maxAgeMs: number;
  private counter = 0;
  private readonly fifo: Entry[] = [];
  private head = 0;
  private readonly byUser = new Map<string, Entry[]>();

  constructor(
    @Inject(APP_CONFIG) config: Pick<GatewayConfig, 'MESSAGING_TIMEOUT_MS'>,
    private readonly clock: Clock,
  ) {
    // Long enough to cover the slowest memberships fetch a handshake may make.
    this.maxAgeMs = 2 * config.MESSAGING_TIMEOUT_MS + 10_000;
  }

  /** The position after the latest recorded change. */
  cursor(): number {
    return this.counter;
  }

  record(change: MembershipChange): void {
    const entry: Entry = { ...change, n: ++this.counter, at: this.clock.now() };
    this.fifo.push(entry);
    const list = this.byUser.get(change.userId);
    if (list) list.push(entry);
    else this.byUser.set(change.userId, [entry]);
    this.prune();
  }

  /** The user's changes recorded after `cursor`, oldest first. */
  since(userId: string, cursor: number): MembershipChange[] {
    this.prune();
    return (this.byUser.get(userId) ?? [])
      .filter((entry) => entry.n > cursor)
      .map(({ userId: id, channel, change }) => ({ userId: id, channel, change }));
  }

  get size(): number {
    return this.fifo.length - this.head;
  }

  private prune(): void {
    const oldest = this.clock.now() - this.maxAgeMs;
    while (this.head < this.fifo.length) {
      const entry = this.fifo[this.head];
      if (entry.at >= oldest && this.size <= this.maxEntries) break;
      this.head++;
      // The globally oldest entry is also the oldest of its user.
      const list = this.byUser.get(entry.userId);
      list?.shift();
      if (list?.length === 0) this.byUser.delete(entry.userId);
    }
    // Compact now and then instead of shifting the array on every removal.
    if (this.head > 1024 && this.head * 2 > this.fifo.length) {
      this.fifo.splice(0, this.head);
      this.head = 0;
    }
  }
}
