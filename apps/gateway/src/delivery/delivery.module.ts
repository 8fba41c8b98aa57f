// Kafka events to local sockets: one broadcast consumer of the delivery topics per instance.
import { Injectable, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { BusConsumers, TRACE_HEADERS, traceNow, traceSpan } from '@chat/kafka';
import { SequencedReader } from '@chat/contracts';
import { APP_CONFIG, SERVICE_IDENTITY, type ServiceIdentity } from '@chat/service-kit';
import { CommandsModule } from '../commands/commands.module';
import { PendingAcks } from '../commands/pending-acks';
import { type GatewayConfig } from '../config';
import { BroadcastSubscription } from '../kafka/broadcast-subscription';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import { SocketModule } from '../socket/socket.module';
import { SocketServer } from '../socket/socket.server';
import { Delivery, DELIVERY_TOPICS } from './delivery.service';

@Injectable()
class DeliveryConsumer implements OnApplicationBootstrap {
  private readonly subscription: BroadcastSubscription<(typeof DELIVERY_TOPICS)[number]>;

  constructor(consumers: BusConsumers, delivery: Delivery) {
    this.subscription = new BroadcastSubscription({ name: 'delivery', topics: DELIVERY_TOPICS, handler: { batch: delivery.handleAll } }, consumers);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.subscription.start();
  }
}

/**
 * Hop durations of one delivered message, from its trace headers (an untraced message: nothing
 * observed) and the Kafka timestamps of the command (stamped by messaging) and of the sequenced
 * record (`sentAt`): when each record left its producer, so a producer's queue and a consumer's
 * lag are told apart.
 */
function observeHops(metrics: GatewayMetrics, headers: Readonly<Record<string, string>>, sentAt: number): void {
  const published = headers[TRACE_HEADERS.gatewayPublished];
  // Only sampled commands carry headers (TRACE_SAMPLE_EVERY): every hop counts the same messages.
  if (published === undefined) return;
  const now = traceNow();
  const commandSent = headers[TRACE_HEADERS.commandSent];
  const started = headers[TRACE_HEADERS.messagingStarted];
  const spans: [string, number | undefined][] = [
    ['gateway_to_messaging', traceSpan(published, started)],
    ['gateway_producer', traceSpan(published, commandSent)],
    ['kafka_to_messaging', traceSpan(commandSent, started)],
    ['messaging', traceSpan(started, String(sentAt))],
    ['kafka_to_gateway', traceSpan(String(sentAt), now)],
    ['total', traceSpan(published, now)],
  ];
  for (const [hop, ms] of spans) if (ms !== undefined) metrics.messageHops.observe({ hop }, Math.max(0, ms) / 1000);
}

@Module({
  imports: [SocketModule, CommandsModule],
  providers: [
    {
      provide: Delivery,
      inject: [APP_CONFIG, SERVICE_IDENTITY, SocketServer, GatewayMetrics, PendingAcks],
      useFactory: (config: GatewayConfig, identity: ServiceIdentity, sockets: SocketServer, metrics: GatewayMetrics, pending: PendingAcks) =>
        new Delivery(
          sockets,
          new SequencedReader({ maxChannels: config.SEQ_DEDUP_CHANNELS, mine: (replyTo) => replyTo.gatewayId === identity.instanceId }),
          { gatewayId: identity.instanceId, settle: (requestId, result) => pending.settle(requestId, result) },
          (topic, outcome) => metrics.kafkaEvents.inc({ topic, outcome }),
          (headers, sentAt) => observeHops(metrics, headers, sentAt),
        ),
    },
    DeliveryConsumer,
  ],
})
export class DeliveryModule {}
