import { Injectable } from '@nestjs/common';
import { type Channel } from '@chat/contracts';
import { CassandraClient, defineStatements } from '@chat/cassandra';
import { collect, uuidOf } from '../common/cql-values';

const CQL = defineStatements({
  add: { cql: 'INSERT INTO channel_members (channel_id, user_id, joined_at) VALUES (?, ?, ?)', idempotent: true },
  addToUser: { cql: 'INSERT INTO channels_by_user (user_id, workspace_id, channel_id) VALUES (?, ?, ?)', idempotent: true },
  remove: { cql: 'DELETE FROM channel_members WHERE channel_id = ? AND user_id = ?', idempotent: true },
  removeFromUser: { cql: 'DELETE FROM channels_by_user WHERE user_id = ? AND workspace_id = ? AND channel_id = ?', idempotent: true },
  isMember: 'SELECT user_id FROM channel_members WHERE channel_id = ? AND user_id = ?',
  someOf: 'SELECT user_id FROM channel_members WHERE channel_id = ? LIMIT ?',
  ofUser: 'SELECT workspace_id, channel_id FROM channels_by_user WHERE user_id = ?',
  ofUserIn: 'SELECT channel_id FROM channels_by_user WHERE user_id = ? AND workspace_id = ?',
});

export interface UserChannel {
  workspaceId: string;
  channelId: string;
}

@Injectable()
export class ChannelMembersRepository {
  constructor(private readonly db: CassandraClient) {}

  /** The user's list first, membership last: `isMember` true implies the lists have it. */
  async add(channel: Pick<Channel, 'id' | 'workspaceId'>, userId: string, joinedAt: Date): Promise<void> {
    await this.db.execute(CQL.addToUser, [userId, channel.workspaceId, channel.id]);
    await this.db.execute(CQL.add, [channel.id, userId, joinedAt]);
  }

  /** Membership first, the user's list last (the reverse of add). */
  async remove(channel: Pick<Channel, 'id' | 'workspaceId'>, userId: string): Promise<void> {
    await this.db.execute(CQL.remove, [channel.id, userId]);
    await this.db.execute(CQL.removeFromUser, [userId, channel.workspaceId, channel.id]);
  }

  async isMember(channelId: string, userId: string): Promise<boolean> {
    return (await this.db.first(CQL.isMember, [channelId, userId])) !== undefined;
  }

  /** Up to `limit` members of the channel (one partition read). */
  async someOf(channelId: string, limit: number): Promise<string[]> {
    const rows = await collect(this.db.iterate(CQL.someOf, [channelId, limit]));
    return rows.map((row) => uuidOf(row.user_id));
  }

  /** Every channel the user belongs to, in every workspace. */
  async channelsOf(userId: string): Promise<UserChannel[]> {
    const rows = await collect(this.db.iterate(CQL.ofUser, [userId]));
    return rows.map((row) => ({ workspaceId: uuidOf(row.workspace_id), channelId: uuidOf(row.channel_id) }));
  }

  /** Ids of the user's channels in one workspace. */
  async channelsOfIn(userId: string, workspaceId: string): Promise<string[]> {
    const rows = await collect(this.db.iterate(CQL.ofUserIn, [userId, workspaceId]));
    return rows.map((row) => uuidOf(row.channel_id));
  }
}
