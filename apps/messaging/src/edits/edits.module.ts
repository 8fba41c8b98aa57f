// edits/: edits, deletes and reactions of existing messages (MessageChanges), applied in each
// channel's command order.
import { Module } from '@nestjs/common';
import { CommonModule } from '../common/common.module';
import { FilesModule } from '../files/files.module';
import { MentionsModule } from '../mentions/mentions.module';
import { PinsModule } from '../pins/pins.module';
import { ReadLedgersModule } from '../read-state/read-ledgers.module';
import { ThreadsModule } from '../threads/threads.module';
import { WorkspacesStoreModule } from '../workspaces/workspaces-store.module';
import { MessageChanges } from './message-changes.service';
import { MessageRowsModule } from './message-rows.module';

@Module({
  imports: [CommonModule, FilesModule, MessageRowsModule, MentionsModule, PinsModule, ReadLedgersModule, ThreadsModule, WorkspacesStoreModule],
  providers: [MessageChanges],
  exports: [MessageChanges],
})
export class EditsModule {}
