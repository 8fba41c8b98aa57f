// The workspaces table alone: channels check workspace roles with it, below the workspaces
// feature (WorkspacesModule), which itself creates channels.
import { Module } from '@nestjs/common';
import { WorkspacesRepository } from './workspaces.repository';

@Module({ providers: [WorkspacesRepository], exports: [WorkspacesRepository] })
export class WorkspacesStoreModule {}
