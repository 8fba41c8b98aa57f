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
        KafkaModule.forService(identity.instanceId, config),
        PostgresModule.forRoot({ url: config.POSTGRES_URL, migrationsDir: join(__dirname, 'migrations') }),
      ],
      providers: [ObjectStorage],
    };
  }
}
