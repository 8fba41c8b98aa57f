// The ground floor's storage: the messages table (rows by channel, bucket and seq, and the by-id
// index), its fixed bucket size, and the channels' last seq. Features read messages through this;
// the send pipeline itself (sequencer, store, history, commands) is composed in AppModule.
import { Module } from '@nestjs/common';
import { APP_CONFIG } from '@chat/service-kit';
import { type MessagingConfig } from '../config';
import { ChannelHeads } from './channel-heads';
import { ChannelHeadsRepository } from './channel-heads.repository';
import { fixedBucketSize, KeyspaceSettingsRepository } from './keyspace-settings.repository';
import { MESSAGE_BUCKET_SIZE, MessageBuckets } from './message-buckets';
import { MessagesRepository } from './messages.repository';

@Module({
  providers: [
    KeyspaceSettingsRepository,
    {
      provide: MESSAGE_BUCKET_SIZE,
      inject: [KeyspaceSettingsRepository, APP_CONFIG],
      useFactory: (settings: KeyspaceSettingsRepository, c: MessagingConfig) => fixedBucketSize(settings, c.MESSAGE_BUCKET_SIZE),
    },
    MessageBuckets,
    MessagesRepository,
    ChannelHeadsRepository,
    ChannelHeads,
  ],
  exports: [KeyspaceSettingsRepository, MessageBuckets, MessagesRepository, ChannelHeadsRepository, ChannelHeads],
})
export class MessageStoreModule {}
