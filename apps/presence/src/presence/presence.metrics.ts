// presence's own Prometheus series: what one status change costs is read from these.
import { Injectable } from '@nestjs/common';
import { MetricsService } from '@chat/service-kit';
import { type Counter } from 'prom-client';

@Injectable()
export class PresenceMetrics {
  /** Redis round trips (a pipeline, MULTI or script counts once), by operation. */
  readonly redisCalls: Counter<'op'>;
  /** Signals applied, by type. */
  readonly signals: Counter<'type'>;
  /** Status changes published, by new status. */
  readonly changes: Counter<'status'>;
  /** Kafka records presence produced, by topic. */
  readonly published: Counter<'topic'>;

  constructor(metrics: MetricsService) {
    this.redisCalls = metrics.counter('presence_redis_calls_total', 'Redis round trips of presence', ['op']);
    this.signals = metrics.counter('presence_signals_total', 'Presence signals consumed', ['type']);
    this.changes = metrics.counter('presence_changes_total', 'Presence changes published', ['status']);
    this.published = metrics.counter('presence_kafka_records_total', 'Kafka records produced by presence', ['topic']);
  }
}
