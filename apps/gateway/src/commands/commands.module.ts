// Client events of connected sockets: guarded, turned into Kafka commands (or REST `sync`),
// answered when messaging replies.
import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { ChannelCommandTopic, LIMITS } from '@chat/contracts';
import { JwtVerifier } from '@chat/auth-client';
import { BusProducer, TRACE_HEADERS, TraceSampler, traceNow } from '@chat/kafka';
import { APP_CONFIG, SERVICE_IDENTITY, type ServiceIdentity } from '@chat/service-kit';
import { type GatewayConfig } from '../config';
import { MessagingApi } from '../messaging-api/messaging-api.client';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { SendRateLimiter } from '../rate-limit/send-rate-limiter';
import { SocketModule } from '../socket/socket.module';
import { SocketServer } from '../socket/socket.server';
import { type GatewaySocket } from '../socket/socket.types';
import { type ClientConnection, ClientEvents } from './client-events';
import { CommandService } from './command.service';
import { PresenceModule } from '../presence/presence.module';
import { PresenceReporter } from '../presence/presence-reporter';
import { TypingService } from '../presence/typing.service';
import { PendingAcks } from './pending-acks';
import { RepliesConsumer } from './replies.consumer';

/** `sync` calls one socket may have running at once (each is a REST call to messaging). */
const SYNCS_PER_CONNECTION = 4;

/** The typed socket seen through the loose interface the pipeline binds to. */
function connectionOf(socket: GatewaySocket): ClientConnection {
  return {
    id: socket.id,
    data: socket.data,
    // The pipeline validates every argument itself, so it listens with `unknown[]` under any event name.
    on: (event, listener) => socket.on(event as 'message:send', listener),
    onAny: (listener) => socket.onAny(listener),
    once: (event, listener) => socket.once(event, listener),
  };
}

@Injectable()
class ClientEventsBinding implements OnModuleInit {
  constructor(
    private readonly sockets: SocketServer,
    private readonly events: ClientEvents,
  ) {}

  onModuleInit(): void {
    this.sockets.onConnection((socket) => this.events.bind(connectionOf(socket)));
  }
}

@Module({
  imports: [SocketModule, RateLimitModule, PresenceModule],
  providers: [
    { provide: PendingAcks, useFactory: () => new PendingAcks() },
    RepliesConsumer,
    {
      provide: CommandService,
      inject: [APP_CONFIG, SERVICE_IDENTITY, PendingAcks, BusProducer, SendRateLimiter, RepliesConsumer],
      useFactory: (config: GatewayConfig, identity: ServiceIdentity, pending: PendingAcks, producer: BusProducer, limiter: SendRateLimiter, replies: RepliesConsumer) => {
        const sampler = new TraceSampler(config.TRACE_SAMPLE_EVERY);
        return new CommandService({
          gatewayId: identity.instanceId,
          timeoutMs: config.COMMAND_TIMEOUT_MS,
          maxPendingPerSocket: config.PENDING_COMMANDS_PER_SOCKET,
          pending,
          publish: (command) => producer.publish(ChannelCommandTopic, command.payload.channelId, command, sampler.next() ? { [TRACE_HEADERS.gatewayPublished]: traceNow() } : undefined),
          sendLimiter: limiter,
          repliesReady: () => replies.ready,
        });
      },
    },
    {
      provide: ClientEvents,
      inject: [CommandService, MessagingApi, PendingAcks, GatewayMetrics, JwtVerifier, TypingService, PresenceReporter],
      useFactory: (commands: CommandService, messaging: MessagingApi, pending: PendingAcks, metrics: GatewayMetrics, verifier: JwtVerifier, typing: TypingService, presence: PresenceReporter) =>
        new ClientEvents({
          maxPayloadBytes: LIMITS.socketPayloadMaxBytes,
          maxConcurrentSyncs: SYNCS_PER_CONNECTION,
          commands,
          sync: (token, payload) => messaging.sync(token, payload),
          verifyToken: async (token) => (await verifier.verify(token)).sub,
          onDisconnect: (socketId) => pending.dropSocket(socketId),
          typing: (socketId, userId, payload) => typing.typing(socketId, userId, payload),
          setAway: (socketId, away) => presence.setAway(socketId, away),
          observe: {
            eventIn: (event) => metrics.eventsIn.inc({ event }),
            acked: (event, outcome, seconds) => metrics.ackLatency.observe({ event, outcome }, seconds),
          },
        }),
    },
    ClientEventsBinding,
  ],
  exports: [PendingAcks],
})
export class CommandsModule {}
