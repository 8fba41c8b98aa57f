// Channels of a workspace: public and private named channels (names unique per workspace) and
// direct messages (one channel per set of users). Uniqueness is claimed with a lightweight
// transaction on `channel_keys`: the channel row is written first, then its key claimed; a loser
// deletes its unreferenced row and answers with the winner.
import { Injectable } from '@nestjs/common';
import { type Channel, type ChannelKind, type ChannelSummary, type CreateChannelRequest } from '@chat/contracts';
import { AppError } from '@chat/service-kit';
import { type AuthenticatedUser } from '@chat/auth-client';
import { Clock } from '../common/clock';
import { IdGenerator } from '../common/id-generator';
import { ChannelHeads } from '../messages/channel-heads';
import { ReadMarkersRepository } from '../read-state/read-markers.repository';
import { UnreadCounter } from '../read-state/unread-counter';
import { UsersService } from '../users/users.service';
import { WorkspacesRepository } from '../workspaces/workspaces.repository';
import { ChannelMembersRepository } from './channel-members.repository';
import { ChannelMembershipService } from './channel-membership.service';
import { ChannelsRepository } from './channels.repository';

export const GENERAL_CHANNEL = 'general';

export const channelKeys = {
  named: (name: string): string => `name:${name}`,
  dm: (sortedMemberIds: readonly string[]): string => `dm:${sortedMemberIds.join(',')}`,
};

@Injectable()
export class ChannelsService {
  constructor(
    private readonly channels: ChannelsRepository,
    private readonly members: ChannelMembersRepository,
    private readonly membership: ChannelMembershipService,
    private readonly workspaces: WorkspacesRepository,
    private readonly heads: ChannelHeads,
    private readonly markers: ReadMarkersRepository,
    private readonly users: UsersService,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly unread: UnreadCounter,
  ) {}

  /** `POST /api/workspaces/:id/channels`: any workspace member may create one; the creator joins it. */
  async create(caller: AuthenticatedUser, workspaceId: string, request: CreateChannelRequest): Promise<Channel> {
    await this.requireWorkspaceMember(workspaceId, caller.id);
    return this.createNamed(workspaceId, caller.id, request.name, request.private ? 'private' : 'public');
  }

  /** Creates a named channel and joins its creator; `conflict` when the name is taken. */
  async createNamed(workspaceId: string, creatorId: string, name: string, kind: Exclude<ChannelKind, 'dm'>): Promise<Channel> {
    const channel: Channel = {
      id: this.ids.newId(),
      workspaceId,
      kind,
      name,
      private: kind === 'private',
      createdBy: creatorId,
      createdAt: this.clock.now().toISOString(),
    };
    await this.channels.insert(channel);
    const claim = await this.channels.claimKey(workspaceId, channelKeys.named(name), channel.id);
    if (!claim.applied) {
      await this.channels.remove(channel.id);
      throw new AppError('conflict', `a channel named #${name} already exists in this workspace`);
    }
    await this.channels.addToWorkspace(channel);
    await this.membership.add(channel, creatorId);
    return channel;
  }

  async findNamed(workspaceId: string, name: string): Promise<Channel | undefined> {
    const id = await this.channels.keyOwner(workspaceId, channelKeys.named(name));
    return id ? this.channels.get(id) : undefined;
  }

  /**
   * `POST /api/workspaces/:id/dms`: the channel of exactly these users plus the caller, created on
   * first use. Every member must belong to the workspace.
   */
  async openDm(caller: AuthenticatedUser, workspaceId: string, userIds: readonly string[]): Promise<{ channel: Channel; created: boolean }> {
    await this.requireWorkspaceMember(workspaceId, caller.id);
    const memberIds = [...new Set([caller.id, ...userIds])].sort();
    const roles = await Promise.all(memberIds.map((id) => this.workspaces.role(workspaceId, id)));
    const outsider = memberIds.find((_, i) => roles[i] === undefined);
    if (outsider) throw new AppError('not_found', `user ${outsider} is not a member of this workspace`);

    const key = channelKeys.dm(memberIds);
    const existingId = await this.channels.keyOwner(workspaceId, key);
    if (existingId) return { channel: await this.existingDm(existingId, memberIds), created: false };

    const usernames = await this.users.usernames(memberIds.filter((id) => id !== caller.id));
    usernames.set(caller.id, caller.username);
    const channel: Channel = {
      id: this.ids.newId(),
      workspaceId,
      kind: 'dm',
      name: memberIds.map((id) => usernames.get(id) ?? id).join(', '),
      private: true,
      memberIds,
      createdBy: caller.id,
      createdAt: this.clock.now().toISOString(),
    };
    await this.channels.insert(channel);
    const claim = await this.channels.claimKey(workspaceId, key, channel.id);
    if (!claim.applied) {
      await this.channels.remove(channel.id);
      return { channel: await this.existingDm(claim.channelId, memberIds), created: false };
    }
    await Promise.all(memberIds.map((id) => this.membership.add(channel, id)));
    return { channel, created: true };
  }

  /**
   * `GET /api/workspaces/:id/channels`: the workspace's public channels, the private ones the
   * caller belongs to and the caller's DMs, with the caller's read state.
   */
  async list(caller: AuthenticatedUser, workspaceId: string): Promise<ChannelSummary[]> {
    await this.requireWorkspaceMember(workspaceId, caller.id);
    const [named, mine, readSeqs] = await Promise.all([
      this.channels.inWorkspace(workspaceId),
      this.members.channelsOfIn(caller.id, workspaceId),
      this.markers.ofUser(caller.id),
    ]);
    const memberOf = new Set(mine);
    const namedIds = new Set(named.map((c) => c.id));
    const dms = await Promise.all(mine.filter((id) => !namedIds.has(id)).map((id) => this.channels.get(id)));
    // Named channels by name, then DMs by name.
    const byName = (a: Channel, b: Channel): number => a.name.localeCompare(b.name) || a.id.localeCompare(b.id);
    const visible = [
      ...named.filter((c) => c.kind === 'public' || memberOf.has(c.id)).sort(byName),
      ...dms.filter((c): c is Channel => c !== undefined).sort(byName),
    ];
    return Promise.all(
      visible.map(async (channel) => {
        const member = memberOf.has(channel.id);
        const lastSeq = await this.heads.current(channel.id);
        const readSeq = member ? Math.min(readSeqs.get(channel.id) ?? 0, lastSeq) : 0;
        // Exact counts (read-state/unread-counter.ts); a non-member has nothing unread.
        const counts = member ? await this.unread.count(caller.id, channel.id, readSeq, lastSeq) : { unread: 0, mentions: 0 };
        return { ...channel, member, lastSeq, readSeq, ...counts };
      }),
    );
  }

  /** A DM that already exists; re-adds members a crashed creation may have missed. */
  private async existingDm(channelId: string, memberIds: readonly string[]): Promise<Channel> {
    const channel = await this.channels.get(channelId);
    if (!channel) throw new Error(`channel ${channelId} owns a DM key but has no row`);
    const present = await Promise.all(memberIds.map((id) => this.members.isMember(channel.id, id)));
    await Promise.all(memberIds.filter((_, i) => !present[i]).map((id) => this.membership.add(channel, id)));
    return channel;
  }

  private async requireWorkspaceMember(workspaceId: string, userId: string): Promise<void> {
    if (!(await this.workspaces.role(workspaceId, userId))) throw new AppError('not_found', `workspace ${workspaceId} not found`);
  }
}
