// Workspace invitations: any member may invite a user (Slack's default without an invite policy);
// the invitee sees their pending invitations and accepts (becoming a member, in #general) or
// declines. Inviting again replaces the pending invitation. An invitation to a workspace the user
// already belongs to is a `conflict`; answering one that does not exist is `not_found`.
import { Injectable } from '@nestjs/common';
import { type InviteToWorkspaceRequest, type Workspace, type WorkspaceInvitation } from '@chat/contracts';
import { AppError } from '@chat/service-kit';
import { type AuthenticatedUser } from '@chat/auth-client';
import { Clock } from '../common/clock';
import { UsersService } from '../users/users.service';
import { InvitationsRepository, type StoredInvitation } from './invitations.repository';
import { WorkspacesRepository } from './workspaces.repository';
import { WorkspacesService } from './workspaces.service';

@Injectable()
export class InvitationsService {
  constructor(
    private readonly invitations: InvitationsRepository,
    private readonly workspaces: WorkspacesRepository,
    private readonly membership: WorkspacesService,
    private readonly users: UsersService,
    private readonly clock: Clock,
  ) {}

  /** `POST /api/workspaces/:id/invitations` (and `/members`): a pending invitation of the user. */
  async invite(caller: AuthenticatedUser, workspaceId: string, ref: InviteToWorkspaceRequest): Promise<WorkspaceInvitation> {
    const [role, workspace] = await Promise.all([this.workspaces.role(workspaceId, caller.id), this.workspaces.get(workspaceId)]);
    if (!role || !workspace) throw new AppError('not_found', `workspace ${workspaceId} not found`);
    const user = 'userId' in ref && ref.userId === caller.id ? { id: caller.id } : await this.users.resolve(ref);
    if (await this.workspaces.role(workspaceId, user.id)) throw new AppError('conflict', 'that user is already a member of this workspace');
    const invitation: StoredInvitation = { workspaceId, userId: user.id, invitedBy: caller.id, createdAt: this.clock.now().toISOString() };
    await this.invitations.put(invitation);
    return { ...invitation, workspaceName: workspace.name };
  }

  /** `GET /api/me/invitations`: the caller's pending invitations, newest first. */
  async pending(caller: AuthenticatedUser): Promise<WorkspaceInvitation[]> {
    const stored = await this.invitations.ofUser(caller.id);
    const workspaces = await Promise.all(stored.map((i) => this.workspaces.get(i.workspaceId)));
    return stored
      .flatMap((invitation, i): WorkspaceInvitation[] => {
        const workspace = workspaces[i];
        return workspace ? [{ ...invitation, workspaceName: workspace.name }] : [];
      })
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /** `POST /api/me/invitations/:workspaceId/accept`: joins the workspace and its #general. */
  async accept(caller: AuthenticatedUser, workspaceId: string): Promise<Workspace> {
    const invitation = await this.invitations.get(caller.id, workspaceId);
    const workspace = invitation && (await this.workspaces.get(workspaceId));
    if (!workspace) throw notFound(workspaceId);
    const joined = await this.membership.join(workspace, caller.id);
    // Last: a failure above leaves the invitation to accept again.
    await this.invitations.remove(caller.id, workspaceId);
    return joined;
  }

  /** `POST /api/me/invitations/:workspaceId/decline`. */
  async decline(caller: AuthenticatedUser, workspaceId: string): Promise<void> {
    if (!(await this.invitations.get(caller.id, workspaceId))) throw notFound(workspaceId);
    await this.invitations.remove(caller.id, workspaceId);
  }
}

function notFound(workspaceId: string): AppError {
  return new AppError('not_found', `no pending invitation to workspace ${workspaceId}`);
}
