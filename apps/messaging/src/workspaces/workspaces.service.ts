// Workspaces and their members (roles owner and member). A workspace the caller does not belong
// to does not exist for them (not_found). Any member may add members (Slack's default for
// workspaces without an invite policy); adding is idempotent and joins the new member to #general.
import { Injectable } from '@nestjs/common';
import { type AddWorkspaceMemberRequest, type Workspace } from '@chat/contracts';
import { AppError } from '@chat/service-kit';
import { type AuthenticatedUser } from '@chat/auth-client';
import { ChannelMembershipService } from '../channels/channel-membership.service';
import { ChannelsService, GENERAL_CHANNEL } from '../channels/channels.service';
import { Clock } from '../common/clock';
import { IdGenerator } from '../common/id-generator';
import { UsersService } from '../users/users.service';
import { WorkspacesRepository } from './workspaces.repository';

@Injectable()
export class WorkspacesService {
  constructor(
    private readonly workspaces: WorkspacesRepository,
    private readonly channels: ChannelsService,
    private readonly membership: ChannelMembershipService,
    private readonly users: UsersService,
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

  /** Adds a user (by id or username) as a member and joins them to #general. */
  async addMember(caller: AuthenticatedUser, workspaceId: string, ref: AddWorkspaceMemberRequest): Promise<void> {
    if (!(await this.workspaces.role(workspaceId, caller.id))) throw new AppError('not_found', `workspace ${workspaceId} not found`);
    const user = 'userId' in ref && ref.userId === caller.id ? { id: caller.id } : await this.users.resolve(ref);
    if (!(await this.workspaces.role(workspaceId, user.id))) {
      await this.workspaces.addMember(workspaceId, user.id, 'member', this.clock.now());
    }
    // Also when already a member: heals a previous call that stopped before this step.
    const general = await this.channels.findNamed(workspaceId, GENERAL_CHANNEL);
    if (general) await this.membership.add(general, user.id);
  }
}
