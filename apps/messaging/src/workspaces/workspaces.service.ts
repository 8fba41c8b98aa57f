// Workspaces and their members (roles owner and member). A workspace the caller does not belong
// to does not exist for them (not_found). Nobody is made a member without consent: members invite
// (InvitationsService) and the invitee accepts. A member may leave (the last owner may not), and
// an owner may remove a member. Joining and leaving are announced on
// chat.workspace.membership.v1, after the channel leaves on chat.channel.membership.v1.
import { Injectable } from '@nestjs/common';
import { type Workspace } from '@chat/contracts';
import { AppError } from '@chat/service-kit';
import { type AuthenticatedUser } from '@chat/auth-client';
import { ChannelMembershipService } from '../channels/channel-membership.service';
import { ChannelsService, GENERAL_CHANNEL } from '../channels/channels.service';
import { Clock } from '../common/clock';
import { IdGenerator } from '../common/id-generator';
import { WorkspaceEventsPublisher } from './workspace-events.publisher';
import { WorkspacesRepository } from './workspaces.repository';

@Injectable()
export class WorkspacesService {
  constructor(
    private readonly workspaces: WorkspacesRepository,
    private readonly channels: ChannelsService,
    private readonly membership: ChannelMembershipService,
    private readonly events: WorkspaceEventsPublisher,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  /** Creates a workspace owned by the caller, with a public #general the caller joins. */
  async create(caller: AuthenticatedUser, name: string): Promise<Workspace> {
    const now = this.clock.now();
    const workspace: Workspace = { id: this.ids.newId(), name, createdBy: caller.id, createdAt: now.toISOString() };
    await this.workspaces.insert(workspace);
    await this.workspaces.addMember(workspace.id, caller.id, 'owner', now);
    await this.channels.createNamed(workspace.id, caller.id, GENERAL_CHANNEL, 'public');
    await this.events.membershipChanged(workspace.id, caller.id, 'joined', now);
    return { ...workspace, role: 'owner' };
  }

  /** The caller's workspaces, each with the caller's role, oldest first. */
  async listMine(caller: AuthenticatedUser): Promise<Workspace[]> {
    const memberships = await this.workspaces.ofUser(caller.id);
    const rows = await Promise.all(memberships.map((m) => this.workspaces.get(m.workspaceId)));
    return rows
      .flatMap((workspace, i): Workspace[] => (workspace ? [{ ...workspace, role: memberships[i].role }] : []))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  /** Makes the user a member (an accepted invitation) and joins them to #general. Idempotent. */
  async join(workspace: Workspace, userId: string): Promise<Workspace> {
    const now = this.clock.now();
    const role = (await this.workspaces.role(workspace.id, userId)) ?? 'member';
    await this.workspaces.addMember(workspace.id, userId, role, now);
    const general = await this.channels.findNamed(workspace.id, GENERAL_CHANNEL);
    if (general) await this.membership.add(general, userId);
    await this.events.membershipChanged(workspace.id, userId, 'joined', now);
    return { ...workspace, role };
  }

  /**
   * `DELETE /api/workspaces/:id/members/:userId`. Oneself (`me`): leave; the last owner may not
   * (`conflict`). Someone else: owners only (`forbidden`), and not another owner (`forbidden`).
   */
  async removeMember(caller: AuthenticatedUser, workspaceId: string, userId: string): Promise<void> {
    const callerRole = await this.workspaces.role(workspaceId, caller.id);
    if (!callerRole) throw new AppError('not_found', `workspace ${workspaceId} not found`);
    if (userId === caller.id) {
      if (callerRole === 'owner' && (await this.workspaces.owners(workspaceId)).every((id) => id === caller.id)) {
        throw new AppError('conflict', 'the last owner cannot leave the workspace');
      }
    } else {
      if (callerRole !== 'owner') throw new AppError('forbidden', 'only an owner of the workspace may remove a member');
      const role = await this.workspaces.role(workspaceId, userId);
      if (!role) throw new AppError('not_found', `user ${userId} is not a member of this workspace`);
      if (role === 'owner') throw new AppError('forbidden', 'an owner cannot be removed');
    }
    await this.remove(workspaceId, userId);
  }

  /**
   * Channels first, then the membership, then the channels again (a join that raced in between),
   * then the announcement. A retry after a failure finds the user still a member and redoes it.
   */
  private async remove(workspaceId: string, userId: string): Promise<void> {
    await this.membership.leaveWorkspace(workspaceId, userId);
    await this.workspaces.removeMember(workspaceId, userId);
    await this.membership.leaveWorkspace(workspaceId, userId);
    await this.events.membershipChanged(workspaceId, userId, 'left', this.clock.now());
  }
}
