// workspaces/: creating workspaces (with their first channels), invitations and their answers,
// leaving and removing members.
import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module';
import { CommonModule } from '../common/common.module';
import { UsersModule } from '../users/users.module';
import { InvitationsController } from './invitations.controller';
import { InvitationsRepository } from './invitations.repository';
import { InvitationsService } from './invitations.service';
import { WorkspaceEventsPublisher } from './workspace-events.publisher';
import { WorkspacesController } from './workspaces.controller';
import { WorkspacesService } from './workspaces.service';
import { WorkspacesStoreModule } from './workspaces-store.module';

@Module({
  imports: [CommonModule, UsersModule, WorkspacesStoreModule, ChannelsModule],
  controllers: [WorkspacesController, InvitationsController],
  providers: [WorkspacesService, InvitationsService, InvitationsRepository, WorkspaceEventsPublisher],
})
export class WorkspacesModule {}
