// Who may see and write a channel: the channel and member tables, the membership cache (and its
// invalidation from chat.channel.membership.v1) and ChannelAccess. Every feature that takes a
// channel id from a caller imports this.
import { Module } from '@nestjs/common';
import { CommonModule } from '../common/common.module';
import { WorkspacesStoreModule } from '../workspaces/workspaces-store.module';
import { ChannelAccess } from './channel-access.service';
import { ChannelMembersRepository } from './channel-members.repository';
import { ChannelsRepository } from './channels.repository';
import { MemberCache } from './member-cache';
import { MemberCacheInvalidator } from './member-cache.invalidator';

@Module({
  imports: [CommonModule, WorkspacesStoreModule],
  providers: [ChannelsRepository, ChannelMembersRepository, MemberCache, MemberCacheInvalidator, ChannelAccess],
  exports: [ChannelsRepository, ChannelMembersRepository, MemberCache, ChannelAccess],
})
export class ChannelAccessModule {}
