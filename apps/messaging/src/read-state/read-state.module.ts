// read-state/: read markers (the `read` command) and unread and mention counts.
import { Module } from '@nestjs/common';
import { ChannelAccessModule } from '../channels/channel-access.module';
import { CommonModule } from '../common/common.module';
import { MessageStoreModule } from '../messages/message-store.module';
import { ThreadsModule } from '../threads/threads.module';
import { ReadLedgersModule } from './read-ledgers.module';
import { ReadStateService } from './read-state.service';
import { UnreadCounter } from './unread-counter';

@Module({
  imports: [CommonModule, ChannelAccessModule, MessageStoreModule, ReadLedgersModule, ThreadsModule],
  providers: [ReadStateService, UnreadCounter],
  exports: [ReadLedgersModule, ReadStateService, UnreadCounter],
})
export class ReadStateModule {}
