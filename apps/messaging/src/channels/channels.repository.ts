import { Injectable } from '@nestjs/common';
import { type Channel, ChannelKindSchema } from '@chat/contracts';
import { CassandraClient, type CqlRow, defineStatements } from '@chat/cassandra';
import { collect, isoOf, uuidOf } from '../common/cql-values';

const CQL = defineStatements({
  insert: {
    cql: 'INSERT INTO channels (id, workspace_id, kind, name, member_ids, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    idempotent: true,
  },
  remove: { cql: 'DELETE FROM channels WHERE id = ?', idempotent: true },
  get: 'SELECT id, workspace_id, kind, name, member_ids, created_by, created_at FROM channels WHERE id = ?',
  claimKey: 'INSERT INTO channel_keys (workspace_id, key, channel_id) VALUES (?, ?, ?) IF NOT EXISTS',
  keyOwner: 'SELECT channel_id FROM channel_keys WHERE workspace_id = ? AND key = ?',
  addToWorkspace: {
    cql: 'INSERT INTO channels_by_workspace (workspace_id, channel_id, kind, name, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    idempotent: true,
  },
  inWorkspace: 'SELECT workspace_id, channel_id, kind, name, created_by, created_at FROM channels_by_workspace WHERE workspace_id = ?',
});

export type KeyClaim = { applied: true } | { applied: false; channelId: string };

@Injectable()
export class ChannelsRepository {
  constructor(private readonly db: CassandraClient) {}

  async insert(channel: Channel): Promise<void> {
    await this.db.execute(CQL.insert, [
      channel.id,
      channel.workspaceId,
      channel.kind,
      channel.name,
      channel.memberIds ?? null,
      channel.createdBy,
      new Date(channel.createdAt),
    ]);
  }

  /** Deletes a channel row no key points to (the loser of a name or DM claim). */
  async remove(channelId: string): Promise<void> {
    await this.db.execute(CQL.remove, [channelId]);
  }

  async get(channelId: string): Promise<Channel | undefined> {
    const row = await this.db.first(CQL.get, [channelId]);
    return row ? toChannel(row, uuidOf(row.id)) : undefined;
  }

  /** Claims a uniqueness key of the workspace (`name:general`, `dm:<ids>`) for a channel (LWT). */
  async claimKey(workspaceId: string, key: string, channelId: string): Promise<KeyClaim> {
    const result = await this.db.execute(CQL.claimKey, [workspaceId, key, channelId]);
    if (result.applied) return { applied: true };
    return { applied: false, channelId: uuidOf(result.rows[0]?.channel_id) };
  }

  async keyOwner(workspaceId: string, key: string): Promise<string | undefined> {
    const row = await this.db.first(CQL.keyOwner, [workspaceId, key]);
    return row ? uuidOf(row.channel_id) : undefined;
  }

  /** Lists a named channel in its workspace. */
  async addToWorkspace(channel: Channel): Promise<void> {
    await this.db.execute(CQL.addToWorkspace, [channel.workspaceId, channel.id, channel.kind, channel.name, channel.createdBy, new Date(channel.createdAt)]);
  }

  /** The named (public and private) channels of a workspace. */
  async inWorkspace(workspaceId: string): Promise<Channel[]> {
    const rows = await collect(this.db.iterate(CQL.inWorkspace, [workspaceId]));
    return rows.map((row) => toChannel(row, uuidOf(row.channel_id)));
  }
}

function toChannel(row: CqlRow, id: string): Channel {
  const kind = ChannelKindSchema.parse(row.kind);
  const memberIds = Array.isArray(row.member_ids) ? row.member_ids.map(uuidOf) : undefined;
  return {
    id,
    workspaceId: uuidOf(row.workspace_id),
    kind,
    name: String(row.name),
    private: kind !== 'public',
    ...(memberIds ? { memberIds } : {}),
    createdBy: uuidOf(row.created_by),
    createdAt: isoOf(row.created_at),
  };
}
