// messaging: workspaces, channels, DMs, messages, threads, reactions and read state. Owns the
// chat_messaging Cassandra keyspace.
import { type DynamicModule, Module } from '@nestjs/common';
import { ServiceKitModule, type ServiceIdentity } from '@chat/service-kit';
import { type MessagingConfig } from './config';

@Module({})
export class AppModule {
  static forRoot(identity: ServiceIdentity, config: MessagingConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceKitModule.forRoot(identity, config)],
    };
  }
}
