// What this gateway instance tells presence: sessions opened and closed, away/active, and a
// heartbeat (`gateway.alive`, a lease on all its sessions) every third of PRESENCE_LEASE_MS.
// Signals are collected for PRESENCE_FLUSH_MS and sent as one Kafka batch; a socket opened and
// closed inside one window (a failed reload) and repeated away/active states are never sent.
// A failed send is retried at the next flush, in order; the queue is bounded (oldest dropped).
// When heartbeats could not be sent for longer than the lease (Kafka unreachable), presence may
// have expired this instance's sessions: the first heartbeat that gets through is followed by a
// `session.opened` for every socket still connected (presence applies them idempotently).
import { Inject, Injectable, Logger } from '@nestjs/common';
import { type PresenceSignal, PresenceSignalTopic, type SessionSignal } from '@chat/contracts';
import { BusProducer } from '@chat/kafka';
import { APP_CONFIG, SERVICE_IDENTITY, type ServiceIdentity } from '@chat/service-kit';
import { Clock } from '../common/clock';
import { type GatewayConfig } from '../config';
import { GatewayMetrics } from '../metrics/gateway.metrics';

type GatewaySignal = Extract<SessionSignal, { type: 'session.opened' | 'session.closed' | 'session.away' | 'session.active' }>;

export interface ReportedSession {
  sessionId: string;
  userId: string;
  workspaceIds: readonly string[];
}

/** Signals kept for the next flush while Kafka is unreachable; the oldest are dropped beyond it. */
const MAX_QUEUED = 100_000;

interface Tracked {
  userId: string;
  workspaceIds: readonly string[];
  away: boolean;
  /** The state presence was last sent (or will be with the queued signals). */
  reportedAway: boolean;
}

@Injectable()
export class PresenceReporter {
  private readonly logger = new Logger('PresenceReporter');
  private readonly sessions = new Map<string, Tracked>();
  private queue: GatewaySignal[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private lastHeartbeatAt: number | undefined;
  private readonly gatewayId: string;
  private readonly leaseMs: number;
  private readonly flushMs: number;

  constructor(
    @Inject(APP_CONFIG) config: Pick<GatewayConfig, 'PRESENCE_LEASE_MS' | 'PRESENCE_FLUSH_MS'>,
    @Inject(SERVICE_IDENTITY) identity: Pick<ServiceIdentity, 'instanceId'>,
    @Inject(BusProducer) private readonly producer: Pick<BusProducer, 'publishBatch'>,
    @Inject(GatewayMetrics) private readonly metrics: Pick<GatewayMetrics, 'presenceSignals'>,
    private readonly clock: Clock,
  ) {
    this.gatewayId = identity.instanceId;
    this.leaseMs = config.PRESENCE_LEASE_MS;
    this.flushMs = config.PRESENCE_FLUSH_MS;
  }

  /** Sends the first heartbeat (presence then knows this instance) and starts the timers. */
  async start(): Promise<void> {
    await this.heartbeat();
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), Math.max(500, Math.floor(this.leaseMs / 3)));
    this.flushTimer = setInterval(() => void this.flush(), this.flushMs);
  }

  /** Sends what is queued (the closes of a shutdown) and stops; no heartbeat follows. */
  async stop(): Promise<void> {
    clearInterval(this.heartbeatTimer);
    clearInterval(this.flushTimer);
    await this.flush();
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  opened(session: ReportedSession): void {
    this.sessions.set(session.sessionId, { userId: session.userId, workspaceIds: session.workspaceIds, away: false, reportedAway: false });
    this.enqueue({ type: 'session.opened', ...this.base(session.userId, session.sessionId), away: false, workspaceIds: [...session.workspaceIds] });
  }

  closed(sessionId: string): void {
    const tracked = this.sessions.get(sessionId);
    if (!tracked) return;
    this.sessions.delete(sessionId);
    const openedAt = this.queue.findIndex((s) => s.sessionId === sessionId && s.type === 'session.opened');
    if (openedAt >= 0) {
      // Presence never heard of this session: nothing to tell it.
      this.queue = this.queue.filter((s) => s.sessionId !== sessionId);
      return;
    }
    this.queue = this.queue.filter((s) => s.sessionId !== sessionId || s.type === 'session.opened');
    this.enqueue({ type: 'session.closed', ...this.base(tracked.userId, sessionId) });
  }

  /** `presence:away` / `presence:active` of one socket; false for an unknown socket. */
  setAway(sessionId: string, away: boolean): boolean {
    const tracked = this.sessions.get(sessionId);
    if (!tracked) return false;
    tracked.away = away;
    // Only the latest state of a session matters, and only if it differs from what presence has.
    const queued = this.queue.find((s) => s.sessionId === sessionId && (s.type === 'session.away' || s.type === 'session.active'));
    if (queued) {
      this.queue = this.queue.filter((s) => s !== queued);
      tracked.reportedAway = queued.type !== 'session.away';
    }
    const opened = this.queue.find((s): s is Extract<GatewaySignal, { type: 'session.opened' }> => s.sessionId === sessionId && s.type === 'session.opened');
    if (opened) {
      opened.away = away;
      tracked.reportedAway = away;
    } else if (tracked.reportedAway !== away) {
      tracked.reportedAway = away;
      this.enqueue({ type: away ? 'session.away' : 'session.active', ...this.base(tracked.userId, sessionId) });
    }
    return true;
  }

  /** Sends the queued signals as one batch; on failure they stay queued for the next flush. */
  flush(): Promise<void> {
    this.flushing ??= this.send().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async send(): Promise<void> {
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    try {
      await this.publish(batch);
      const counts = new Map<PresenceSignal['type'], number>();
      for (const signal of batch) counts.set(signal.type, (counts.get(signal.type) ?? 0) + 1);
      for (const [type, count] of counts) this.metrics.presenceSignals.inc({ type }, count);
    } catch (error) {
      this.logger.warn(`could not send ${batch.length} presence signals; retrying: ${error instanceof Error ? error.message : String(error)}`);
      this.queue = [...batch, ...this.queue];
      if (this.queue.length > MAX_QUEUED) this.queue = this.queue.slice(this.queue.length - MAX_QUEUED);
    }
  }

  /** Sends one heartbeat now (the timer calls it every third of the lease). */
  async heartbeat(): Promise<void> {
    try {
      await this.publish([{ type: 'gateway.alive', gatewayId: this.gatewayId, leaseMs: this.leaseMs, at: this.at() }]);
      this.metrics.presenceSignals.inc({ type: 'gateway.alive' }, 1);
      const now = this.clock.now();
      if (this.lastHeartbeatAt !== undefined && now - this.lastHeartbeatAt > this.leaseMs) this.reannounce();
      this.lastHeartbeatAt = now;
    } catch (error) {
      this.logger.warn(`presence heartbeat failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Every live session again, as presence may have expired them while this instance was unheard. */
  private reannounce(): void {
    this.logger.warn(`heartbeats were not sent for longer than the lease: re-announcing ${this.sessions.size} sessions`);
    const pending = new Set(this.queue.filter((s) => s.type === 'session.opened').map((s) => s.sessionId));
    for (const [sessionId, tracked] of this.sessions) {
      if (pending.has(sessionId)) continue;
      this.queue = this.queue.filter((s) => s.sessionId !== sessionId);
      tracked.reportedAway = tracked.away;
      this.enqueue({ type: 'session.opened', ...this.base(tracked.userId, sessionId), away: tracked.away, workspaceIds: [...tracked.workspaceIds] });
    }
  }

  private base(userId: string, sessionId: string): { userId: string; gatewayId: string; sessionId: string; at: string } {
    return { userId, gatewayId: this.gatewayId, sessionId, at: this.at() };
  }

  private at(): string {
    return new Date(this.clock.now()).toISOString();
  }

  /** One Kafka batch on chat.presence.signal.v1, keyed by user (a heartbeat by its gateway). */
  private publish(signals: readonly PresenceSignal[]): Promise<void> {
    return this.producer.publishBatch(PresenceSignalTopic, signals.map((value) => ({ key: value.type === 'gateway.alive' ? value.gatewayId : value.userId, value })));
  }

  private enqueue(signal: GatewaySignal): void {
    this.queue.push(signal);
  }
}
