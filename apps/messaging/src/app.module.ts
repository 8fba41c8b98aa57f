// messaging: workspaces, channels, DMs, messages (threads, edits, deletes, reactions, mentions,
// pins, search) and read state. Owns the chat_messaging Cassandra keyspace; consumes
// chat.channel.command.v1 (sends, edits, deletes, reactions, reads) and chat.user.registered.v1
// (users projection); publishes the sequenced log (delivered by gateways), store progress (the
// senders' acknowledgements), message updates, command replies, membership changes and read markers.
import { join } from 'node:path';
import { type DynamicModule, Module } from '@nestjs/common';
import {
  ChannelCommandTopic,
  ChannelMembershipTopic,
  CommandReplyTopic,
  FileChangedTopic,
  FileSharedTopic,
  WorkspaceMembershipTopic,
  MessageSequencedTopic,
  MessageStoredTopic,
  MessageUpdatedTopic,
  ReadMarkerTopic,
  UserRegisteredTopic,
} from '@chat/contracts';
import { AuthClientModule } from '@chat/auth-client';
import { CassandraModule } from '@chat/cassandra';
import { BusModule } from '@chat/kafka';
import { cassandraCredentials, parseReplication, ServiceKitModule, type ServiceIdentity } from '@chat/service-kit';
import { ChannelAccessModule } from './channels/channel-access.module';
import { ChannelsModule } from './channels/channels.module';
import { CommonModule } from './common/common.module';
import { type MessagingConfig } from './config';
import { EditsModule } from './edits/edits.module';
import { FilesModule } from './files/files.module';
import { MentionsModule } from './mentions/mentions.module';
import { MessageStoreModule } from './messages/message-store.module';
import { MessagesModule } from './messages/messages.module';
import { PinsModule } from './pins/pins.module';
import { PipelineModule } from './pipeline/pipeline.module';
import { ReadStateModule } from './read-state/read-state.module';
import { SearchModule } from './search/search.module';
import { ThreadsModule } from './threads/threads.module';
import { UsersModule } from './users/users.module';
import { WorkspacesModule } from './workspaces/workspaces.module';

/** Topics messaging consumes or produces, created (with their .dlq) at start-up when missing. */
export const MESSAGING_TOPICS = [
  ChannelCommandTopic,
  MessageSequencedTopic,
  UserRegisteredTopic,
  MessageStoredTopic,
  MessageUpdatedTopic,
  CommandReplyTopic,
  ChannelMembershipTopic,
  WorkspaceMembershipTopic,
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
          consistency: config.CASSANDRA_CONSISTENCY,
          migrationsDir: join(__dirname, 'migrations'),
          applicationName: identity.instanceId,
          ...cassandraCredentials(config),
        }),
        BusModule.forService(identity.instanceId, config, MESSAGING_TOPICS),
        AuthClientModule.forRoot({ jwksUrl: config.JWKS_URL }),
        // The features, each with its own module; a module imports only those below it:
        // common, pipeline < users, message store, channel access < message rows, read ledgers
        // < threads, mentions, pins, search, files < read state < channels < workspaces, edits
        // < messages (the send pipeline, which runs the steps the features registered, and the
        // commands it orders).
        CommonModule,
        PipelineModule,
        UsersModule,
        MessageStoreModule,
        ChannelAccessModule,
        ThreadsModule,
        MentionsModule,
        PinsModule,
        SearchModule,
        FilesModule,
        ReadStateModule,
        ChannelsModule,
        WorkspacesModule,
        EditsModule,
        MessagesModule,
      ],
    };
  }
}
