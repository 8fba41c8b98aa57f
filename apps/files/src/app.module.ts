// files: uploads and downloads through an S3 API. Owns the chat_files PostgreSQL database and
// its bucket.
import { join } from 'node:path';
import { type DynamicModule, Module } from '@nestjs/common';
import { PostgresModule } from '@chat/postgres';
import { KafkaModule } from '@chat/kafka';
import { ServiceKitModule, type ServiceIdentity } from '@chat/service-kit';
import { type FilesConfig } from './config';
import { ObjectStorage } from './storage/object-storage';

@Module({})
export class AppModule {
  static forRoot(identity: ServiceIdentity, config: FilesConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forRoot(identity, config),
        KafkaModule.forRoot({
          brokers: config.KAFKA_BROKERS,
          clientId: identity.instanceId,
          topicPrefix: config.KAFKA_TOPIC_PREFIX,
          replicationFactor: config.KAFKA_REPLICATION_FACTOR,
        }),
        PostgresModule.forRoot({ url: config.POSTGRES_URL, migrationsDir: join(__dirname, 'migrations') }),
      ],
      providers: [ObjectStorage],
    };
  }
}
