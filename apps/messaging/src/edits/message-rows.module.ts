// Locating a message by id for a caller (MessageLocator: new message ids carry their seq, older
// ones are in the messages_by_id index) and changing a stored row (MessageUpdatesRepository).
// Below the features that act on existing messages: threads, pins and edits.
import { Module } from '@nestjs/common';
import { ChannelAccessModule } from '../channels/channel-access.module';
import { MessageStoreModule } from '../messages/message-store.module';
import { MessageLocator } from './message-locator';
import { MessageUpdatesRepository } from './message-updates.repository';

@Module({
  imports: [ChannelAccessModule, MessageStoreModule],
  providers: [MessageLocator, MessageUpdatesRepository],
  exports: [MessageLocator, MessageUpdatesRepository],
})
export class MessageRowsModule {}
