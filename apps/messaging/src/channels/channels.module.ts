// channels/: creating channels and DMs, joining and leaving, listing a user's channels with
// their unread counts.
import { Module } from '@nestjs/common';
import { CommonModule } from '../common/common.module';
import { MessageStoreModule } from '../messages/message-store.module';
import { ReadStateModule } from '../read-state/read-state.module';
import { UsersModule } from '../users/users.module';
import { WorkspacesStoreModule } from '../workspaces/workspaces-store.module';
import { ChannelAccessModule } from './channel-access.module';
import { ChannelMembershipService } from './channel-membership.service';
import { ChannelsController } from './channels.controller';
import { ChannelsService } from './channels.service';

@Module({
  imports: [CommonModule, UsersModule, WorkspacesStoreModule, ChannelAccessModule, MessageStoreModule, ReadStateModule],
  controllers: [ChannelsController],
  providers: [ChannelMembershipService, ChannelsService],
  exports: [ChannelMembershipService, ChannelsService],
})
export class ChannelsModule {}
