// gateway: the one client origin. Socket.IO for clients, REST proxied to the owning services,
// client commands turned into Kafka commands and Kafka events fanned out to every device.
import { type DynamicModule, Module } from '@nestjs/common';
import { RedisModule } from '@chat/redis';
import { ServiceKitModule, type ServiceIdentity } from '@chat/service-kit';
import { type GatewayConfig } from './config';

@Module({})
export class AppModule {
  static forRoot(identity: ServiceIdentity, config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceKitModule.forRoot(identity, config), RedisModule.forRoot({ url: config.REDIS_URL, keyPrefix: 'gateway:' })],
    };
  }
}
