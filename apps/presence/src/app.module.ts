// presence: who is online, away or offline, and who is typing. Owns its Redis key space.
import { type DynamicModule, Module } from '@nestjs/common';
import { RedisModule } from '@chat/redis';
import { KafkaModule } from '@chat/kafka';
import { ServiceKitModule, type ServiceIdentity } from '@chat/service-kit';
import { type PresenceConfig } from './config';

@Module({})
export class AppModule {
  static forRoot(identity: ServiceIdentity, config: PresenceConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forRoot(identity, config),
        KafkaModule.forService(identity.instanceId, config),
        RedisModule.forRoot({ url: config.REDIS_URL, keyPrefix: 'presence:' }),
      ],
    };
  }
}
