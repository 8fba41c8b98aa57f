import { Injectable } from '@nestjs/common';
import { CassandraClient, defineStatements } from '@chat/cassandra';
import { collect, isoOf, uuidOf } from '../common/cql-values';

const CQL = defineStatements({
  put: { cql: 'INSERT INTO workspace_invitations (user_id, workspace_id, invited_by, created_at) VALUES (?, ?, ?, ?)', idempotent: true },
  get: 'SELECT workspace_id, invited_by, created_at FROM workspace_invitations WHERE user_id = ? AND workspace_id = ?',
  ofUser: 'SELECT workspace_id, invited_by, created_at FROM workspace_invitations WHERE user_id = ?',
  remove: { cql: 'DELETE FROM workspace_invitations WHERE user_id = ? AND workspace_id = ?', idempotent: true },
});

export interface StoredInvitation {
  workspaceId: string;
  userId: string;
  invitedBy: string;
  createdAt: string;
}

/** Pending workspace invitations, partitioned by invitee. */
@Injectable()
export class InvitationsRepository {
  constructor(private readonly db: CassandraClient) {}

  async put(invitation: StoredInvitation): Promise<void> {
    await this.db.execute(CQL.put, [invitation.userId, invitation.workspaceId, invitation.invitedBy, new Date(invitation.createdAt)]);
  }

  async get(userId: string, workspaceId: string): Promise<StoredInvitation | undefined> {
    const row = await this.db.first(CQL.get, [userId, workspaceId]);
    return row ? { workspaceId: uuidOf(row.workspace_id), userId, invitedBy: uuidOf(row.invited_by), createdAt: isoOf(row.created_at) } : undefined;
  }

  async ofUser(userId: string): Promise<StoredInvitation[]> {
    const rows = await collect(this.db.iterate(CQL.ofUser, [userId]));
    return rows.map((row) => ({ workspaceId: uuidOf(row.workspace_id), userId, invitedBy: uuidOf(row.invited_by), createdAt: isoOf(row.created_at) }));
  }

  async remove(userId: string, workspaceId: string): Promise<void> {
    await this.db.execute(CQL.remove, [userId, workspaceId]);
  }
}
