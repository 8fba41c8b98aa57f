// Kafka events to local sockets: one broadcast consumer of the delivery topics per instance.
import { Injectable, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { KafkaConsumerFactory, TRACE_HEADERS, traceNow, traceSpan } from '@chat/kafka';
import { APP_CONFIG } from '@chat/service-kit';
import { type GatewayConfig } from '../config';
import { BroadcastSubscription } from '../kafka/broadcast-subscription';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import { SocketModule } from '../socket/socket.module';
import { SocketServer } from '../socket/socket.server';
import { Delivery, DELIVERY_TOPICS } from './delivery.service';
import { SeqDeduplicator } from './seq-dedup';

@Injectable()
class DeliveryConsumer implements OnApplicationBootstrap {
  private readonly subscription: BroadcastSubscription<(typeof DELIVERY_TOPICS)[number]>;

  constructor(consumers: KafkaConsumerFactory, delivery: Delivery) {
    this.subscription = new BroadcastSubscription({ name: 'delivery', topics: DELIVERY_TOPICS, handler: delivery.handle }, consumers);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.subscription.start();
  }
}

/** Hop durations of one delivered message, from its trace headers (absent headers: nothing observed). */
function observeHops(metrics: GatewayMetrics, headers: Readonly<Record<string, string>>): void {
  const now = traceNow();
  const spans: [string, number | undefined][] = [
    ['gateway_to_messaging', traceSpan(headers[TRACE_HEADERS.gatewayPublished], headers[TRACE_HEADERS.messagingStarted])],
    ['messaging', traceSpan(headers[TRACE_HEADERS.messagingStarted], headers[TRACE_HEADERS.messagingStored])],
    ['messaging_to_gateway', traceSpan(headers[TRACE_HEADERS.messagingStored], now)],
    ['total', traceSpan(headers[TRACE_HEADERS.gatewayPublished], now)],
  ];
  for (const [hop, ms] of spans) if (ms !== undefined) metrics.messageHops.observe({ hop }, Math.max(0, ms) / 1000);
}

@Module({
  imports: [SocketModule],
  providers: [
    {
      provide: Delivery,
      inject: [APP_CONFIG, SocketServer, GatewayMetrics],
      useFactory: (config: GatewayConfig, sockets: SocketServer, metrics: GatewayMetrics) =>
        new Delivery(
          sockets,
          new SeqDeduplicator(config.SEQ_DEDUP_CHANNELS),
          (topic, outcome) => metrics.kafkaEvents.inc({ topic, outcome }),
          (headers) => observeHops(metrics, headers),
        ),
    },
    DeliveryConsumer,
  ],
})
export class DeliveryModule {}
