// Turns time into signals. Every PRESENCE_SWEEP_INTERVAL_MS each presence instance claims (by
// script, so only one instance acts) the gateways whose lease ended and the users whose grace
// period ended, and publishes `session.expired` / `user.settle` into the signal topic: the
// user's partition consumer stays the only writer of user state. A claim lasts `retryMs`; if the
// consumer has not resolved it by then (a lost record, a crashed instance), it is claimed again.
import { Logger } from '@nestjs/common';
import { type PresenceSignal } from '@chat/contracts';
import { type PresencePublisher } from './presence.publisher';
import { type PresenceRepository } from './presence.repository';

export interface PresenceSweeperDeps {
  repository: Pick<PresenceRepository, 'claimExpiredGateways' | 'claimDueUsers' | 'gatewaySessions' | 'dropGatewayIfEmpty'>;
  publisher: Pick<PresencePublisher, 'signals'>;
  intervalMs: number;
  now: () => number;
}

const CLAIM_LIMIT = 1_000;

export class PresenceSweeper {
  private readonly logger = new Logger('PresenceSweeper');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly deps: PresenceSweeperDeps) {}

  private get retryMs(): number {
    return Math.max(5 * this.deps.intervalMs, 5_000);
  }

  start(): void {
    this.timer ??= setInterval(() => {
      if (this.running) return;
      this.running = this.sweep()
        .catch((error: unknown) => this.logger.warn(`sweep failed: ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => (this.running = undefined));
    }, this.deps.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  async sweep(): Promise<void> {
    const { repository, publisher } = this.deps;
    const now = this.deps.now();
    const at = new Date(now).toISOString();
    const signals: Extract<PresenceSignal, { userId: string }>[] = [];
    for (const gatewayId of await repository.claimExpiredGateways(now, this.retryMs, CLAIM_LIMIT)) {
      const sessions = await repository.gatewaySessions(gatewayId);
      if (sessions.length === 0) {
        await repository.dropGatewayIfEmpty(gatewayId, now + this.retryMs);
        continue;
      }
      this.logger.log(`gateway ${gatewayId} missed its lease: expiring ${sessions.length} sessions`);
      for (const { userId, sessionId } of sessions) signals.push({ type: 'session.expired', userId, gatewayId, sessionId, at });
    }
    for (const userId of await repository.claimDueUsers(now, this.retryMs, CLAIM_LIMIT)) signals.push({ type: 'user.settle', userId, at });
    if (signals.length > 0) await publisher.signals(signals);
  }
}
