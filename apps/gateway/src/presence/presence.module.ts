// Presence and typing on the gateway: reports every socket's session to presence (Kafka), emits
// presence changes to workspace rooms, and relays typing between instances (Redis pub/sub).
import { Injectable, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { PresenceChangedTopic } from '@chat/contracts';
import { BusConsumers } from '@chat/kafka';
import { BroadcastSubscription } from '../kafka/broadcast-subscription';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import { SocketModule } from '../socket/socket.module';
import { SocketServer } from '../socket/socket.server';
import { PresenceDelivery } from './presence-delivery';
import { PresenceReporter } from './presence-reporter';
import { TypingRelay } from './typing-relay';
import { TypingService } from './typing.service';

@Injectable()
class PresenceLifecycle implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly changes: BroadcastSubscription<typeof PresenceChangedTopic>;

  constructor(
    private readonly sockets: SocketServer,
    private readonly reporter: PresenceReporter,
    private readonly relay: TypingRelay,
    consumers: BusConsumers,
    metrics: GatewayMetrics,
  ) {
    const delivery = new PresenceDelivery(sockets);
    this.changes = new BroadcastSubscription(
      {
        name: 'presence',
        topics: [PresenceChangedTopic],
        handler: (record) => {
          delivery.deliver(record.value);
          metrics.kafkaEvents.inc({ topic: record.topic, outcome: 'delivered' });
          return Promise.resolve();
        },
      },
      consumers,
    );
  }

  onModuleInit(): void {
    this.sockets.onConnection((socket) => {
      this.reporter.opened({ sessionId: socket.id, userId: socket.data.user.id, workspaceIds: socket.data.workspaceIds });
      socket.once('disconnect', () => this.reporter.closed(socket.id));
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await Promise.all([this.relay.start(), this.changes.start()]);
    // The first heartbeat only once the consumer has resolved its offsets: right after the topics
    // were created, a produce can still meet a partition whose leader is not settled, which
    // kafkajs logs at ERROR on every retry.
    await this.reporter.start();
  }

  /** After every socket was disconnected (SocketServer.onModuleDestroy): their closes are sent. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([this.reporter.stop(), this.relay.stop(), this.changes.stop()]);
  }
}

@Module({
  imports: [SocketModule],
  providers: [PresenceReporter, TypingRelay, TypingService, PresenceLifecycle],
  exports: [PresenceReporter, TypingService],
})
export class PresenceModule {}
