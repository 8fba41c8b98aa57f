import { Injectable } from '@nestjs/common';
import { type Workspace, type WorkspaceRole, WorkspaceRoleSchema } from '@chat/contracts';
import { CassandraClient, defineStatements } from '@chat/cassandra';
import { collect, isoOf, uuidOf } from '../common/cql-values';

const CQL = defineStatements({
  insert: { cql: 'INSERT INTO workspaces (id, name, created_by, created_at) VALUES (?, ?, ?, ?)', idempotent: true },
  get: 'SELECT id, name, created_by, created_at FROM workspaces WHERE id = ?',
  addMember: { cql: 'INSERT INTO workspace_members (workspace_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)', idempotent: true },
  addToUser: { cql: 'INSERT INTO workspaces_by_user (user_id, workspace_id, role) VALUES (?, ?, ?)', idempotent: true },
  removeMember: { cql: 'DELETE FROM workspace_members WHERE workspace_id = ? AND user_id = ?', idempotent: true },
  removeFromUser: { cql: 'DELETE FROM workspaces_by_user WHERE user_id = ? AND workspace_id = ?', idempotent: true },
  role: 'SELECT role FROM workspace_members WHERE workspace_id = ? AND user_id = ?',
  members: 'SELECT user_id, role FROM workspace_members WHERE workspace_id = ?',
  ofUser: 'SELECT workspace_id, role FROM workspaces_by_user WHERE user_id = ?',
});

export interface WorkspaceMembership {
  workspaceId: string;
  role: WorkspaceRole;
}

@Injectable()
export class WorkspacesRepository {
  constructor(private readonly db: CassandraClient) {}

  async insert(workspace: Workspace): Promise<void> {
    await this.db.execute(CQL.insert, [workspace.id, workspace.name, workspace.createdBy, new Date(workspace.createdAt)]);
  }

  async get(workspaceId: string): Promise<Workspace | undefined> {
    const row = await this.db.first(CQL.get, [workspaceId]);
    if (!row) return undefined;
    return { id: uuidOf(row.id), name: String(row.name), createdBy: uuidOf(row.created_by), createdAt: isoOf(row.created_at) };
  }

  /** Both directions of the membership; written member-side last, so `role` implies the user's list has it. */
  async addMember(workspaceId: string, userId: string, role: WorkspaceRole, joinedAt: Date): Promise<void> {
    await this.db.execute(CQL.addToUser, [userId, workspaceId, role]);
    await this.db.execute(CQL.addMember, [workspaceId, userId, role, joinedAt]);
  }

  /** The reverse of addMember: member side first, so `role` undefined implies nothing is granted. */
  async removeMember(workspaceId: string, userId: string): Promise<void> {
    await this.db.execute(CQL.removeMember, [workspaceId, userId]);
    await this.db.execute(CQL.removeFromUser, [userId, workspaceId]);
  }

  /** Ids of the workspace's owners (the last one may not leave). */
  async owners(workspaceId: string): Promise<string[]> {
    const rows = await collect(this.db.iterate(CQL.members, [workspaceId]));
    return rows.filter((row) => row.role === 'owner').map((row) => uuidOf(row.user_id));
  }

  /** The user's role in the workspace, or undefined when not a member. */
  async role(workspaceId: string, userId: string): Promise<WorkspaceRole | undefined> {
    const row = await this.db.first(CQL.role, [workspaceId, userId]);
    return row ? WorkspaceRoleSchema.parse(row.role) : undefined;
  }

  async ofUser(userId: string): Promise<WorkspaceMembership[]> {
    const { rows } = await this.db.execute(CQL.ofUser, [userId]);
    return rows.map((row) => ({ workspaceId: uuidOf(row.workspace_id), role: WorkspaceRoleSchema.parse(row.role) }));
  }
}
