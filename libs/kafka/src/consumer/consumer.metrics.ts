// The Prometheus series of this process's consumers, on the service's registry (MetricsService;
// a private registry where there is none, as in this library's own specs). The alert rules in
// k8s/components/monitoring/prometheus-rules.yaml read them:
//   kafka_consumer_dead_letters_total{group,topic,reason}  records parked in `<topic>.dlq`;
//   kafka_consumer_handler_failures_total{group,topic}      failures that paused a partition;
//   kafka_consumer_paused_partitions{group}                 partitions waiting for an engine now;
//   kafka_consumer_restarts_total{group}                    consumers restarted after a crash;
//   kafka_consumer_down{group}                              1 while a consumer is not running.
import { Injectable, Optional } from '@nestjs/common';
import { MetricsService } from '@chat/service-kit';
import { type Counter, type Gauge } from 'prom-client';
import { type DeadLetterReason } from './dead-letter';

@Injectable()
export class ConsumerMetrics {
  readonly deadLetters: Counter<'group' | 'topic' | 'reason'>;
  readonly handlerFailures: Counter<'group' | 'topic'>;
  readonly pausedPartitions: Gauge<'group'>;
  readonly restarts: Counter<'group'>;
  readonly down: Gauge<'group'>;

  constructor(@Optional() metrics?: MetricsService) {
    const registry = metrics ?? new MetricsService();
    this.deadLetters = registry.counter('kafka_consumer_dead_letters_total', 'Records parked in a dead-letter topic', ['group', 'topic', 'reason']);
    this.handlerFailures = registry.counter('kafka_consumer_handler_failures_total', 'Handler failures that paused a partition to try again', ['group', 'topic']);
    this.pausedPartitions = registry.gauge('kafka_consumer_paused_partitions', 'Partitions paused while a handler fails', ['group']);
    this.restarts = registry.counter('kafka_consumer_restarts_total', 'Consumers restarted after they crashed', ['group']);
    this.down = registry.gauge('kafka_consumer_down', '1 while a consumer crashed and is not running', ['group']);
  }

  deadLettered(group: string, topic: string, reason: DeadLetterReason): void {
    this.deadLetters.inc({ group, topic, reason });
  }
}
