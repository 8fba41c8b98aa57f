// Client events of connected sockets (ClientEventsGateway): guarded, turned into commands for
// messaging (sends through the direct hop when it is on, the rest through Kafka) or REST `sync`,
// answered when messaging replies.
import { Module } from '@nestjs/common';
import { APP_CONFIG, SERVICE_IDENTITY, type ServiceIdentity } from '@chat/service-kit';
import { type GatewayConfig } from '../config';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { SocketModule } from '../socket/socket.module';
import { ClientEventsGateway } from './client-events.gateway';
import { COMMAND_SETTINGS, CommandPublisher, CommandService, type CommandSettings } from './command.service';
import { PresenceModule } from '../presence/presence.module';
import { COMMAND_HOP_SECRET, DirectHop } from './direct-hop';
import { PartitionOwners } from './partition-owners';
import { PendingAcks } from './pending-acks';
import { RepliesConsumer } from './replies.consumer';

@Module({
  imports: [SocketModule, RateLimitModule, PresenceModule],
  providers: [
    PendingAcks,
    RepliesConsumer,
    {
      provide: COMMAND_SETTINGS,
      inject: [APP_CONFIG, SERVICE_IDENTITY],
      useFactory: (config: GatewayConfig, identity: ServiceIdentity): CommandSettings => ({
        gatewayId: identity.instanceId,
        timeoutMs: config.COMMAND_TIMEOUT_MS,
        maxPendingPerSocket: config.PENDING_COMMANDS_PER_SOCKET,
        traceSampleEvery: config.TRACE_SAMPLE_EVERY,
      }),
    },
    { provide: COMMAND_HOP_SECRET, inject: [APP_CONFIG], useFactory: (config: GatewayConfig) => config.COMMAND_HOP_SECRET },
    PartitionOwners,
    DirectHop,
    CommandPublisher,
    CommandService,
    ClientEventsGateway,
  ],
  exports: [PendingAcks, PartitionOwners],
})
export class CommandsModule {}
