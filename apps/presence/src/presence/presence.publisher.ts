// What presence produces: status changes for the gateways, and the sweeper's signals back into
// the signal topic (keyed by user, so the user's one consumer applies them in order).
import { Injectable } from '@nestjs/common';
import { type PresenceChanged, PresenceChangedTopic, type PresenceSignal, PresenceSignalTopic } from '@chat/contracts';
import { BusProducer } from '@chat/kafka';
import { PresenceMetrics } from './presence.metrics';

@Injectable()
export class PresencePublisher {
  constructor(
    private readonly producer: BusProducer,
    private readonly metrics: PresenceMetrics,
  ) {}

  async changes(changes: readonly PresenceChanged[]): Promise<void> {
    if (changes.length === 0) return;
    await this.producer.publishBatch(PresenceChangedTopic, changes.map((value) => ({ key: value.userId, value })));
    this.metrics.published.inc({ topic: PresenceChangedTopic.name }, changes.length);
    for (const change of changes) this.metrics.changes.inc({ status: change.status });
  }

  async signals(signals: readonly Extract<PresenceSignal, { userId: string }>[]): Promise<void> {
    if (signals.length === 0) return;
    await this.producer.publishBatch(PresenceSignalTopic, signals.map((value) => ({ key: value.userId, value })));
    this.metrics.published.inc({ topic: PresenceSignalTopic.name }, signals.length);
  }
}
