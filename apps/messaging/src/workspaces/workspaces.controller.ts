import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import {
  type CreateWorkspaceRequest,
  CreateWorkspaceRequestSchema,
  IdSchema,
  type InviteToWorkspaceRequest,
  InviteToWorkspaceRequestSchema,
  type Workspace,
  type WorkspaceInvitation,
  WorkspaceMemberRefSchema,
} from '@chat/contracts';
import { AuthGuard, type AuthenticatedUser, CurrentUser } from '@chat/auth-client';
import { ZodValidationPipe } from '@chat/service-kit';
import { InvitationsService } from './invitations.service';
import { WorkspacesService } from './workspaces.service';

const IdParam = new ZodValidationPipe(IdSchema);

@Controller('api/workspaces')
@UseGuards(AuthGuard)
export class WorkspacesController {
  constructor(
    private readonly workspaces: WorkspacesService,
    private readonly invitations: InvitationsService,
  ) {}

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

  /** The older name of `invitations`: it never adds anyone without their consent. */
  @Post(':id/members')
  async addMember(
    @CurrentUser() caller: AuthenticatedUser,
    @Param('id', IdParam) workspaceId: string,
    @Body(new ZodValidationPipe(InviteToWorkspaceRequestSchema)) body: InviteToWorkspaceRequest,
  ): Promise<{ invitation: WorkspaceInvitation }> {
    return { invitation: await this.invitations.invite(caller, workspaceId, body) };
  }

  @Post(':id/invitations')
  async invite(
    @CurrentUser() caller: AuthenticatedUser,
    @Param('id', IdParam) workspaceId: string,
    @Body(new ZodValidationPipe(InviteToWorkspaceRequestSchema)) body: InviteToWorkspaceRequest,
  ): Promise<{ invitation: WorkspaceInvitation }> {
    return { invitation: await this.invitations.invite(caller, workspaceId, body) };
  }

  @Delete(':id/members/:userId')
  @HttpCode(204)
  async removeMember(
    @CurrentUser() caller: AuthenticatedUser,
    @Param('id', IdParam) workspaceId: string,
    @Param('userId', new ZodValidationPipe(WorkspaceMemberRefSchema)) userId: string,
  ): Promise<void> {
    await this.workspaces.removeMember(caller, workspaceId, userId === 'me' ? caller.id : userId);
  }
}
