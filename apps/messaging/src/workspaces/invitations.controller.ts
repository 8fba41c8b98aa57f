// The invitee's side of workspace invitations: list, accept, decline.
import { Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { IdSchema, type Workspace, type WorkspaceInvitation } from '@chat/contracts';
import { AuthGuard, type AuthenticatedUser, CurrentUser } from '@chat/auth-client';
import { ZodValidationPipe } from '@chat/service-kit';
import { InvitationsService } from './invitations.service';

const IdParam = new ZodValidationPipe(IdSchema);

@Controller('api/me/invitations')
@UseGuards(AuthGuard)
export class InvitationsController {
  constructor(private readonly invitations: InvitationsService) {}

  @Get()
  async pending(@CurrentUser() caller: AuthenticatedUser): Promise<{ invitations: WorkspaceInvitation[] }> {
    return { invitations: await this.invitations.pending(caller) };
  }

  @Post(':workspaceId/accept')
  @HttpCode(200)
  async accept(@CurrentUser() caller: AuthenticatedUser, @Param('workspaceId', IdParam) workspaceId: string): Promise<{ workspace: Workspace }> {
    return { workspace: await this.invitations.accept(caller, workspaceId) };
  }

  @Post(':workspaceId/decline')
  @HttpCode(204)
  async decline(@CurrentUser() caller: AuthenticatedUser, @Param('workspaceId', IdParam) workspaceId: string): Promise<void> {
    await this.invitations.decline(caller, workspaceId);
  }
}
