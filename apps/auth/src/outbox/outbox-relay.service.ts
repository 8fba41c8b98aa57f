// Publishes outbox events to Kafka after their transaction committed: at once when nudged (after a
// registration) and every few seconds for whatever is left (Kafka was down, or a process died
// between commit and publish). Delivery is at least once: a crash after Kafka acknowledged but
// before the row is deleted publishes the event again, so consumers treat it idempotently (by key).
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Transactions } from '../common/database';
import { EventPublisher } from './event-publisher';
import { OutboxRepository } from './outbox.repository';

export const OUTBOX_POLL_INTERVAL_MS = 2_000;
const BATCH_SIZE = 100;
const SHUTDOWN_WAIT_MS = 3_000;

@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OutboxRelay.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private failing = false;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly publisher: EventPublisher,
    private readonly transactions: Transactions,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.nudge(), OUTBOX_POLL_INTERVAL_MS);
    this.timer.unref();
    this.nudge();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    // Let a drain in progress finish, but not wait out Kafka's retries: an unfinished drain rolls
    // back and its events stay queued for the next start.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.running, new Promise((resolve) => (timer = setTimeout(resolve, SHUTDOWN_WAIT_MS)))]);
    clearTimeout(timer);
  }

  /** Starts a drain now, or right after the one in progress. */
  nudge(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.nudge();
      }
    });
  }

  /** Publishes batches until the outbox is empty or a publish fails (the next tick retries). */
  async drain(): Promise<void> {
    try {
      for (;;) {
        const { published, complete } = await this.transactions.run(async (tx) => {
          const events = await this.outbox.claim(tx, BATCH_SIZE);
          const done: string[] = [];
          for (const event of events) {
            try {
              await this.publisher.publish(event.topic, event.key, event.payload);
              done.push(event.id);
            } catch (error) {
              // Stop at the first failure: later events of the same key must not overtake it.
              await this.outbox.recordFailure(tx, event.id, error instanceof Error ? error.message : String(error));
              this.reportFailure(error);
              break;
            }
          }
          await this.outbox.delete(tx, done);
          return { published: done.length, complete: done.length === events.length };
        });
        if (published > 0 && this.failing) {
          this.failing = false;
          this.logger.log('publishing outbox events again');
        }
        if (!complete || published < BATCH_SIZE || this.stopped) return;
      }
    } catch (error) {
      this.reportFailure(error);
    }
  }

  private reportFailure(error: unknown): void {
    // Once per outage, not once per tick.
    if (!this.failing) this.logger.warn({ err: error }, 'cannot publish outbox events; will retry');
    this.failing = true;
  }
}
