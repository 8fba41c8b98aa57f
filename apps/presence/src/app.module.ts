// presence: who is online, away or offline. Owns its Redis key space; consumes the gateways'
// signals (chat.presence.signal.v1) and workspace memberships (chat.channel.membership.v1);
// publishes status changes (chat.presence.changed.v1); answers GET /api/presence.
import { type DynamicModule, Module } from '@nestjs/common';
import { ChannelMembershipTopic, PresenceChangedTopic, PresenceSignalTopic, WorkspaceMembershipTopic } from '@chat/contracts';
import { AuthClientModule } from '@chat/auth-client';
import { RedisModule } from '@chat/redis';
import { BusModule } from '@chat/kafka';
import { redisCredentials, ServiceKitModule, type ServiceIdentity } from '@chat/service-kit';
import { type PresenceConfig } from './config';
import { PresenceSignals } from './presence/presence-signals.service';
import { PresenceConsumers } from './presence/presence.consumers';
import { PresenceController } from './presence/presence.controller';
import { PresenceMetrics } from './presence/presence.metrics';
import { PresencePublisher } from './presence/presence.publisher';
import { PresenceRepository } from './presence/presence.repository';
import { PresenceService } from './presence/presence.service';
import { PresenceSweeper } from './presence/presence.sweeper';

export const PRESENCE_TOPICS = [PresenceSignalTopic, PresenceChangedTopic, ChannelMembershipTopic, WorkspaceMembershipTopic];

@Module({})
export class AppModule {
  static forRoot(identity: ServiceIdentity, config: PresenceConfig): DynamicModule {
    const now = (): number => Date.now();
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forRoot(identity, config),
        BusModule.forService(identity.instanceId, config, PRESENCE_TOPICS),
        RedisModule.forRoot({ url: config.REDIS_URL, ...redisCredentials(config), keyPrefix: config.PRESENCE_REDIS_KEY_PREFIX }),
        AuthClientModule.forRoot({ jwksUrl: config.JWKS_URL }),
      ],
      controllers: [PresenceController],
      providers: [
        PresenceMetrics,
        PresenceRepository,
        PresencePublisher,
        PresenceService,
        {
          provide: PresenceSignals,
          inject: [PresenceRepository, PresencePublisher, PresenceMetrics],
          useFactory: (repository: PresenceRepository, publisher: PresencePublisher, metrics: PresenceMetrics) =>
            new PresenceSignals({
              repository,
              publisher,
              metrics,
              now,
              graceMs: config.PRESENCE_OFFLINE_GRACE_MS,
              defaultLeaseMs: config.PRESENCE_DEFAULT_LEASE_MS,
            }),
        },
        {
          provide: PresenceSweeper,
          inject: [PresenceRepository, PresencePublisher],
          useFactory: (repository: PresenceRepository, publisher: PresencePublisher) =>
            new PresenceSweeper({ repository, publisher, now, intervalMs: config.PRESENCE_SWEEP_INTERVAL_MS }),
        },
        PresenceConsumers,
      ],
    };
  }
}
