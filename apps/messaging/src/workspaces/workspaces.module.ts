// workspaces/: creating workspaces (with their first channels) and managing their members.
import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module';
import { CommonModule } from '../common/common.module';
import { UsersModule } from '../users/users.module';
import { WorkspacesController } from './workspaces.controller';
import { WorkspacesService } from './workspaces.service';
import { WorkspacesStoreModule } from './workspaces-store.module';

@Module({
  imports: [CommonModule, UsersModule, WorkspacesStoreModule, ChannelsModule],
  controllers: [WorkspacesController],
  providers: [WorkspacesService],
})
export class WorkspacesModule {}
