// Who belongs to which channel. Every change is announced on chat.channel.membership.v1 (the
// gateways move the user's sockets into or out of the channel's room). Joining is idempotent and
// announces again, so a retried request whose first announcement failed still reaches gateways.
import { Injectable } from '@nestjs/common';
import { type Channel, type MembershipsResponse } from '@chat/contracts';
import { AppError } from '@chat/service-kit';
import { type AuthenticatedUser } from '@chat/auth-client';
import { Clock } from '../common/clock';
import { EventsPublisher } from '../common/events.publisher';
import { WorkspacesRepository } from '../workspaces/workspaces.repository';
import { ChannelAccess, notFound } from './channel-access.service';
import { ChannelMembersRepository } from './channel-members.repository';
import { ChannelsRepository } from './channels.repository';
import { MemberCache } from './member-cache';

@Injectable()
export class ChannelMembershipService {
  constructor(
    private readonly access: ChannelAccess,
    private readonly members: ChannelMembersRepository,
    private readonly channels: ChannelsRepository,
    private readonly workspaces: WorkspacesRepository,
    private readonly events: EventsPublisher,
    private readonly clock: Clock,
    private readonly cache: MemberCache,
  ) {}

  /**
   * `POST /api/channels/:id/members`. Public channel: any member of its workspace may join, or add
   * another workspace member. Private channel: only its members may add someone (non-members do
   * not see it: not_found). DM members are fixed (the channel is the set of its members).
   */
  async join(caller: AuthenticatedUser, channelId: string, userId: string): Promise<void> {
    const { channel, member } = await this.access.visible(channelId, caller.id);
    if (channel.kind === 'dm') throw new AppError('forbidden', 'the members of a direct message cannot change; open a DM with the new set of users');
    if (channel.kind === 'private' && !member) throw notFound(channelId);
    if (userId !== caller.id && !(await this.workspaces.role(channel.workspaceId, userId))) {
      throw new AppError('not_found', `user ${userId} is not a member of this workspace`);
    }
    await this.add(channel, userId);
  }

  /** `DELETE /api/channels/:id/members/me`. */
  async leave(caller: AuthenticatedUser, channelId: string): Promise<void> {
    const { channel, member } = await this.access.visible(channelId, caller.id);
    if (!member) throw new AppError('not_found', `you are not a member of channel ${channelId}`);
    if (channel.kind === 'dm') throw new AppError('forbidden', 'you cannot leave a direct message');
    await this.members.remove(channel, caller.id);
    // Here at once; other processes when the event reaches them (MemberCacheInvalidator).
    this.cache.forget(channel.id, caller.id);
    await this.events.membershipChanged(channel, caller.id, 'left');
  }

  /**
   * Takes the user out of every channel of the workspace, DMs included (no permission check: the
   * workspaces feature decides), announcing each leave: gateways take the user's sockets out of
   * the rooms, files takes the downloads shared there away. Idempotent.
   */
  async leaveWorkspace(workspaceId: string, userId: string): Promise<void> {
    const channelIds = await this.members.channelsOfIn(userId, workspaceId);
    await Promise.all(
      channelIds.map(async (channelId) => {
        const channel = (await this.channels.get(channelId)) ?? { id: channelId, workspaceId };
        await this.members.remove(channel, userId);
        this.cache.forget(channelId, userId);
        if ('kind' in channel) await this.events.membershipChanged(channel, userId, 'left');
      }),
    );
  }

  /** Adds a member (no permission check: callers decide) and announces it. */
  async add(channel: Channel, userId: string): Promise<void> {
    await this.members.add(channel, userId, this.clock.now());
    await this.events.membershipChanged(channel, userId, 'joined');
  }

  /** `GET /api/me/memberships`: what a connecting socket joins. */
  async memberships(caller: AuthenticatedUser): Promise<MembershipsResponse> {
    const [workspaces, channels] = await Promise.all([this.workspaces.ofUser(caller.id), this.members.channelsOf(caller.id)]);
    return { workspaceIds: workspaces.map((w) => w.workspaceId), channelIds: channels.map((c) => c.channelId) };
  }
}
