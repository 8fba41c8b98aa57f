// messaging: workspaces, channels, DMs, messages (threads, edits, deletes, reactions, mentions,
// pins, search) and read state. Owns the chat_messaging Cassandra keyspace; consumes
// chat.channel.command.v1 (sends, edits, deletes, reactions, reads) and chat.user.registered.v1
// (users projection); publishes message.created/updated, command replies, membership changes and
// read markers.
import { join } from 'node:path';
import { type DynamicModule, Module } from '@nestjs/common';
import {
  ChannelCommandTopic,
  ChannelMembershipTopic,
  CommandReplyTopic,
  FileChangedTopic,
  FileSharedTopic,
  MessageCreatedTopic,
  MessageSequencedTopic,
  MessageUpdatedTopic,
  ReadMarkerTopic,
  UserRegisteredTopic,
} from '@chat/contracts';
import { AuthClientModule } from '@chat/auth-client';
import { CassandraModule } from '@chat/cassandra';
import { KafkaModule } from '@chat/kafka';
import { APP_CONFIG, parseReplication, ServiceKitModule, type ServiceIdentity } from '@chat/service-kit';
import { ChannelAccess } from './channels/channel-access.service';
import { ChannelMembersRepository } from './channels/channel-members.repository';
import { ChannelMembershipService } from './channels/channel-membership.service';
import { ChannelsController } from './channels/channels.controller';
import { ChannelsRepository } from './channels/channels.repository';
import { ChannelsService } from './channels/channels.service';
import { MemberCache } from './channels/member-cache';
import { MemberCacheInvalidator } from './channels/member-cache.invalidator';
import { Clock } from './common/clock';
import { EventsPublisher } from './common/events.publisher';
import { IdGenerator } from './common/id-generator';
import { type MessagingConfig } from './config';
import { MessageChanges } from './edits/message-changes.service';
import { MessageLocator } from './edits/message-locator';
import { MessageUpdatesRepository } from './edits/message-updates.repository';
import { MentionsService } from './mentions/mentions.service';
import { PinsController } from './pins/pins.controller';
import { PinsRepository } from './pins/pins.repository';
import { PinsService } from './pins/pins.service';
import { SearchController } from './search/search.controller';
import { SearchRepository } from './search/search.repository';
import { SearchService } from './search/search.service';
import { ThreadsController } from './threads/threads.controller';
import { ThreadsRepository } from './threads/threads.repository';
import { ThreadsService } from './threads/threads.service';
import { AttachableFilesRepository } from './files/attachable-files.repository';
import { AttachmentsService } from './files/attachments.service';
import { FileChangedConsumer } from './files/file-changed.consumer';
import { FileSharesPublisher } from './files/file-shares.publisher';
import { ChannelCommandService } from './messages/channel-command.service';
import { ChannelHeads } from './messages/channel-heads';
import { ChannelHeadsRepository } from './messages/channel-heads.repository';
import { HistoryService } from './messages/history.service';
import { fixedBucketSize, KeyspaceSettingsRepository } from './messages/keyspace-settings.repository';
import { MESSAGE_BUCKET_SIZE, MessageBuckets } from './messages/message-buckets';
import { MessagesController } from './messages/messages.controller';
import { MessagesRepository } from './messages/messages.repository';
import { PartitionEpochsRepository } from './messages/partition-epochs.repository';
import { SendPipelineConsumer } from './messages/send-pipeline.consumer';
import { StoreProgress } from './messages/store-progress';
import { PipelineModule } from './pipeline/pipeline.module';
import { ReadMarkersRepository } from './read-state/read-markers.repository';
import { ReadStateService } from './read-state/read-state.service';
import { UnreadCounter } from './read-state/unread-counter';
import { UnreadLedgerRepository } from './read-state/unread-ledger.repository';
import { UserRegisteredConsumer } from './users/user-registered.consumer';
import { UsersController } from './users/users.controller';
import { UsersRepository } from './users/users.repository';
import { UsersService } from './users/users.service';
import { WorkspacesController } from './workspaces/workspaces.controller';
import { WorkspacesRepository } from './workspaces/workspaces.repository';
import { WorkspacesService } from './workspaces/workspaces.service';

/** Topics messaging consumes or produces, created (with their .dlq) at start-up when missing. */
export const MESSAGING_TOPICS = [
  ChannelCommandTopic,
  MessageSequencedTopic,
  UserRegisteredTopic,
  MessageCreatedTopic,
  MessageUpdatedTopic,
  CommandReplyTopic,
  ChannelMembershipTopic,
  ReadMarkerTopic,
  FileChangedTopic,
  FileSharedTopic,
];

@Module({})
export class AppModule {
  static forRoot(identity: ServiceIdentity, config: MessagingConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forRoot(identity, config),
        CassandraModule.forRoot({
          contactPoints: config.CASSANDRA_CONTACT_POINTS,
          localDataCenter: config.CASSANDRA_LOCAL_DC,
          keyspace: config.CASSANDRA_KEYSPACE,
          replication: parseReplication(config.CASSANDRA_REPLICATION),
          migrationsDir: join(__dirname, 'migrations'),
          applicationName: identity.instanceId,
        }),
        KafkaModule.forService(identity.instanceId, config, MESSAGING_TOPICS),
        AuthClientModule.forRoot({ jwksUrl: config.JWKS_URL }),
        PipelineModule,
      ],
      controllers: [WorkspacesController, ChannelsController, MessagesController, ThreadsController, PinsController, SearchController, UsersController],
      providers: [
        Clock,
        IdGenerator,
        EventsPublisher,
        KeyspaceSettingsRepository,
        {
          provide: MESSAGE_BUCKET_SIZE,
          inject: [KeyspaceSettingsRepository, APP_CONFIG],
          useFactory: (settings: KeyspaceSettingsRepository, c: MessagingConfig) => fixedBucketSize(settings, c.MESSAGE_BUCKET_SIZE),
        },
        MessageBuckets,
        // users/
        UsersRepository,
        UsersService,
        UserRegisteredConsumer,
        // workspaces/
        WorkspacesRepository,
        WorkspacesService,
        // channels/
        ChannelsRepository,
        ChannelMembersRepository,
        MemberCache,
        MemberCacheInvalidator,
        ChannelAccess,
        ChannelMembershipService,
        ChannelsService,
        // messages/
        MessagesRepository,
        ChannelHeadsRepository,
        ChannelHeads,
        PartitionEpochsRepository,
        StoreProgress,
        HistoryService,
        ChannelCommandService,
        SendPipelineConsumer,
        // read-state/
        ReadMarkersRepository,
        ReadStateService,
        UnreadLedgerRepository,
        UnreadCounter,
        // edits/, mentions/, threads/, pins/, search/
        MessageUpdatesRepository,
        MessageLocator,
        MentionsService,
        MessageChanges,
        ThreadsRepository,
        ThreadsService,
        PinsRepository,
        PinsService,
        SearchRepository,
        SearchService,
        // files/
        AttachableFilesRepository,
        FileSharesPublisher,
        AttachmentsService,
        FileChangedConsumer,
      ],
    };
  }
}
