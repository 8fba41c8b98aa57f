// Presence and typing on the gateway: reports every socket's session to presence (Kafka), emits
// presence changes to workspace rooms, and relays typing between instances (Redis pub/sub).
import { Injectable, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { PresenceChangedTopic, PresenceSignalTopic } from '@chat/contracts';
import { BusConsumers, BusProducer } from '@chat/kafka';
import { REDIS } from '@chat/redis';
import { APP_CONFIG, AppError, MetricsService, redisCredentials, SERVICE_IDENTITY, type ServiceIdentity } from '@chat/service-kit';
import type Redis from 'ioredis';
import { type GatewayConfig } from '../config';
import { BroadcastSubscription } from '../kafka/broadcast-subscription';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import { channelRoom, userRoom } from '../socket/rooms';
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
  providers: [
    {
      provide: PresenceReporter,
      inject: [APP_CONFIG, SERVICE_IDENTITY, BusProducer, MetricsService],
      useFactory: (config: GatewayConfig, identity: ServiceIdentity, producer: BusProducer, metrics: MetricsService) => {
        const sent = metrics.counter('gateway_presence_signals_total', 'Presence signals sent to Kafka, by type', ['type']);
        return new PresenceReporter({
          gatewayId: identity.instanceId,
          leaseMs: config.PRESENCE_LEASE_MS,
          flushMs: config.PRESENCE_FLUSH_MS,
          publish: (signals) => producer.publishBatch(PresenceSignalTopic, signals.map((value) => ({ key: value.type === 'gateway.alive' ? value.gatewayId : value.userId, value }))),
          observe: (type, count) => sent.inc({ type }, count),
        });
      },
    },
    {
      provide: TypingRelay,
      inject: [APP_CONFIG, SocketServer],
      useFactory: (config: GatewayConfig, sockets: SocketServer) =>
        new TypingRelay({
          url: config.REDIS_URL,
          credentials: redisCredentials(config),
          channel: `gateway:typing:${config.KAFKA_TOPIC_PREFIX ?? ''}`,
          deliver: (event) => sockets.emitToRooms([channelRoom(event.channelId)], userRoom(event.userId), 'typing', event),
        }),
    },
    {
      provide: TypingService,
      inject: [APP_CONFIG, SocketServer, REDIS, TypingRelay, MetricsService],
      useFactory: (config: GatewayConfig, sockets: SocketServer, redis: Redis, relay: TypingRelay, metrics: MetricsService) => {
        const outcomes = metrics.counter('gateway_typing_total', 'typing events received, by outcome', ['outcome']);
        return new TypingService({
          isMember: (socketId, channelId) => sockets.socketIn(socketId, channelRoom(channelId)),
          admit: async (userId, channelId) => {
            // Answered at once while Redis is away rather than after ioredis's retries.
            if (redis.status !== 'ready' || !relay.available) throw new AppError('unavailable', 'typing is off for now (its store is unreachable); try again later');
            return (await redis.set(`typing:${userId}:${channelId}`, '1', 'PX', config.TYPING_THROTTLE_MS, 'NX')) === 'OK';
          },
          relay: (event) => relay.publish(event),
          observe: (outcome) => outcomes.inc({ outcome }),
        });
      },
    },
    PresenceLifecycle,
  ],
  exports: [PresenceReporter, TypingService],
})
export class PresenceModule {}
