// Client events of connected sockets (ClientEventsGateway): guarded, turned into Kafka commands
// (or REST `sync`), answered when messaging replies.
import { Module } from '@nestjs/common';
import { ChannelCommandTopic } from '@chat/contracts';
import { KafkaProducer, TRACE_HEADERS, traceNow } from '@chat/kafka';
import { APP_CONFIG, SERVICE_IDENTITY, type ServiceIdentity } from '@chat/service-kit';
import { type GatewayConfig } from '../config';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { SendRateLimiter } from '../rate-limit/send-rate-limiter';
import { SocketModule } from '../socket/socket.module';
import { ClientEventsGateway } from './client-events.gateway';
import { CommandService } from './command.service';
import { PresenceModule } from '../presence/presence.module';
import { PendingAcks } from './pending-acks';
import { RepliesConsumer } from './replies.consumer';

@Module({
  imports: [SocketModule, RateLimitModule, PresenceModule],
  providers: [
    { provide: PendingAcks, useFactory: () => new PendingAcks() },
    RepliesConsumer,
    {
      provide: CommandService,
      inject: [APP_CONFIG, SERVICE_IDENTITY, PendingAcks, KafkaProducer, SendRateLimiter, RepliesConsumer],
      useFactory: (config: GatewayConfig, identity: ServiceIdentity, pending: PendingAcks, producer: KafkaProducer, limiter: SendRateLimiter, replies: RepliesConsumer) =>
        new CommandService({
          gatewayId: identity.instanceId,
          timeoutMs: config.COMMAND_TIMEOUT_MS,
          maxPendingPerSocket: config.PENDING_COMMANDS_PER_SOCKET,
          pending,
          publish: (command) => producer.publish(ChannelCommandTopic, command.payload.channelId, command, { [TRACE_HEADERS.gatewayPublished]: traceNow() }),
          sendLimiter: limiter,
          repliesReady: () => replies.ready,
        }),
    },
    ClientEventsGateway,
  ],
  exports: [PendingAcks],
})
export class CommandsModule {}
