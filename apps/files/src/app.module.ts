// files: uploads and downloads through an S3 API. Owns the chat_files PostgreSQL database (file
// metadata, shares, a channel-membership projection) and its bucket. Publishes
// chat.file.changed.v1; consumes it (thumbnails), chat.file.shared.v1 and chat.channel.membership.v1.
import { join } from 'node:path';
import { type DynamicModule, Module } from '@nestjs/common';
import { ChannelMembershipTopic, FileChangedTopic, FileSharedTopic } from '@chat/contracts';
import { AuthClientModule } from '@chat/auth-client';
import { PostgresModule } from '@chat/postgres';
import { BusModule } from '@chat/kafka';
import { ServiceKitModule, type ServiceIdentity } from '@chat/service-kit';
import { AbandonedUploadsJob } from './cleanup/abandoned-uploads.job';
import { Clock } from './common/clock';
import { IdGenerator } from './common/id-generator';
import { type FilesConfig } from './config';
import { DownloadsService } from './downloads/downloads.service';
import { FilesController } from './files.controller';
import { AccessRepository } from './metadata/access.repository';
import { FileEventsPublisher } from './metadata/file-events.publisher';
import { FilesRepository } from './metadata/files.repository';
import { SharingConsumer } from './sharing/sharing.consumer';
import { ObjectStorage } from './storage/object-storage';
import { ThumbnailService } from './thumbnails/thumbnail.service';
import { ThumbnailsConsumer } from './thumbnails/thumbnails.consumer';
import { UploadsService } from './uploads/uploads.service';

/** Topics files consumes or produces, created (with their .dlq) at start-up when missing. */
export const FILES_TOPICS = [FileChangedTopic, FileSharedTopic, ChannelMembershipTopic];

@Module({})
export class AppModule {
  static forRoot(identity: ServiceIdentity, config: FilesConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forRoot(identity, config),
        BusModule.forService(identity.instanceId, config, FILES_TOPICS),
        PostgresModule.forRoot({ url: config.POSTGRES_URL, migrationsDir: join(__dirname, 'migrations') }),
        AuthClientModule.forRoot({ jwksUrl: config.JWKS_URL }),
      ],
      controllers: [FilesController],
      providers: [
        Clock,
        IdGenerator,
        ObjectStorage,
        FilesRepository,
        AccessRepository,
        FileEventsPublisher,
        UploadsService,
        DownloadsService,
        ThumbnailService,
        ThumbnailsConsumer,
        SharingConsumer,
        AbandonedUploadsJob,
      ],
    };
  }
}
