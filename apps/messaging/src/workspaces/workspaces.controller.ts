import { Body, Controller, Get, Param, Post, UseGuards } from '@nestjs/common';
import {
  type AddWorkspaceMemberRequest,
  AddWorkspaceMemberRequestSchema,
  type CreateWorkspaceRequest,
  CreateWorkspaceRequestSchema,
  IdSchema,
  type Workspace,
} from '@chat/contracts';
import { AuthGuard, type AuthenticatedUser, CurrentUser } from '@chat/auth-client';
import { ZodValidationPipe } from '@chat/service-kit';
import { WorkspacesService } from './workspaces.service';

@Controller('api/workspaces')
@UseGuards(AuthGuard)
export class WorkspacesController {
  constructor(private readonly workspaces: WorkspacesService) {}

  @Post()
  async create(
    @CurrentUser() caller: AuthenticatedUser,
    @Body(new ZodValidationPipe(CreateWorkspaceRequestSchema)) body: CreateWorkspaceRequest,
  ): Promise<{ workspace: Workspace }> {
    return { workspace: await this.workspaces.create(caller, body.name) };
  }

  @Get()
  async list(@CurrentUser() caller: AuthenticatedUser): Promise<{ workspaces: Workspace[] }> {
    return { workspaces: await this.workspaces.listMine(caller) };
  }

  @Post(':id/members')
  async addMember(
    @CurrentUser() caller: AuthenticatedUser,
    @Param('id', new ZodValidationPipe(IdSchema)) workspaceId: string,
    @Body(new ZodValidationPipe(AddWorkspaceMemberRequestSchema)) body: AddWorkspaceMemberRequest,
  ): Promise<void> {
    await this.workspaces.addMember(caller, workspaceId, body);
  }
}
