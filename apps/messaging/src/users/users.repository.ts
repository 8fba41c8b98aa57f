import { Injectable } from '@nestjs/common';
import { type User } from '@chat/contracts';
import { CassandraClient, type CqlRow, defineStatements } from '@chat/cassandra';
import { isoOf, uuidOf } from '../common/cql-values';

const CQL = defineStatements({
  upsert: { cql: 'INSERT INTO users (id, username, display_name, created_at) VALUES (?, ?, ?, ?)', idempotent: true },
  upsertByUsername: { cql: 'INSERT INTO users_by_username (username_lower, user_id) VALUES (?, ?)', idempotent: true },
  byId: 'SELECT id, username, display_name, created_at FROM users WHERE id = ?',
  idByUsername: 'SELECT user_id FROM users_by_username WHERE username_lower = ?',
});

@Injectable()
export class UsersRepository {
  constructor(private readonly db: CassandraClient) {}

  async upsert(user: User): Promise<void> {
    await Promise.all([
      this.db.execute(CQL.upsert, [user.id, user.username, user.displayName, new Date(user.createdAt)]),
      this.db.execute(CQL.upsertByUsername, [user.username.toLowerCase(), user.id]),
    ]);
  }

  async byId(id: string): Promise<User | undefined> {
    const row = await this.db.first(CQL.byId, [id]);
    return row ? toUser(row) : undefined;
  }

  async byUsername(username: string): Promise<User | undefined> {
    const row = await this.db.first(CQL.idByUsername, [username.toLowerCase()]);
    return row ? this.byId(uuidOf(row.user_id)) : undefined;
  }
}

function toUser(row: CqlRow): User {
  return { id: uuidOf(row.id), username: String(row.username), displayName: String(row.display_name), createdAt: isoOf(row.created_at) };
}
