// Compares each projection a service keeps of another service's data with its source, reading
// both straight from the engines of a TestSystem run (test-only: the services never read each
// other's stores). The projections (grep the Kafka consumers in apps/*):
//   - messaging `users` (chat.user.registered.v1)            vs auth's `users` (PostgreSQL)
//   - messaging `attachable_files` (chat.file.changed.v1)    vs files' `files` (PostgreSQL)
//   - files' `channel_members` (chat.channel.membership.v1)  vs messaging's `channel_members`
//   - presence's `u:<user>:ws` sets (chat.workspace.membership.v1 and channel joins)
//                                                             vs messaging's `workspace_members`
// `divergences()` lists every difference, as sentences; an empty list means all agree. `sizes()`
// counts the sources, so that a test can show it compared something.
import { LOCAL_ENGINES } from '@chat/infra';
import { Client as CassandraClient } from 'cassandra-driver';
import Redis from 'ioredis';
import { Client as PgClient } from 'pg';
import { type TestSystem } from './test-system';

const REDIS_URL = 'redis://127.0.0.1:6379';

export class ProjectionCheck {
  private constructor(
    private readonly auth: PgClient,
    private readonly files: PgClient,
    private readonly cassandra: CassandraClient,
    private readonly redis: Redis,
  ) {}

  static async open(system: TestSystem): Promise<ProjectionCheck> {
    const [authDb, filesDb] = system.databases;
    const pg = (database: string | undefined): PgClient => {
      const url = new URL(LOCAL_ENGINES.postgresUrl);
      url.pathname = `/${database ?? ''}`;
      return new PgClient({ connectionString: url.toString() });
    };
    const auth = pg(authDb);
    const files = pg(filesDb);
    await Promise.all([auth.connect(), files.connect()]);
    const cassandra = new CassandraClient({
      contactPoints: [...LOCAL_ENGINES.cassandra.contactPoints],
      localDataCenter: LOCAL_ENGINES.cassandra.localDataCenter,
      credentials: { ...LOCAL_ENGINES.cassandra.credentials },
      keyspace: `${system.run}_messaging`,
    });
    await cassandra.connect();
    const redis = new Redis(REDIS_URL, { keyPrefix: `${system.run}.presence:`, maxRetriesPerRequest: 1 });
    return new ProjectionCheck(auth, files, cassandra, redis);
  }

  async close(): Promise<void> {
    await Promise.all([this.auth.end(), this.files.end(), this.cassandra.shutdown()]);
    this.redis.disconnect();
  }

  private async cql(query: string): Promise<Record<string, unknown>[]> {
    const result = await this.cassandra.execute(query, [], { prepare: true, fetchSize: 100_000 });
    return result.rows;
  }

  /** Rows of each source: accounts, files, channel memberships, workspace memberships. */
  async sizes(): Promise<Record<'users' | 'files' | 'channelMembers' | 'workspaceMembers', number>> {
    const count = async (query: string): Promise<number> => (await this.cql(query)).length;
    return {
      users: (await this.auth.query('SELECT id FROM users')).rowCount ?? 0,
      files: (await this.files.query('SELECT id FROM files')).rowCount ?? 0,
      channelMembers: await count('SELECT channel_id FROM channel_members'),
      workspaceMembers: await count('SELECT workspace_id FROM workspace_members'),
    };
  }

  /** Every difference between a projection and its source, in words (none: []). */
  async divergences(): Promise<string[]> {
    const found: string[] = [];
    const str = (value: unknown): string => String(value);

    // Users: every account auth holds is known to messaging, and nothing else.
    const accounts = new Set((await this.auth.query<{ id: string }>('SELECT id FROM users')).rows.map((r) => r.id));
    const users = new Set((await this.cql('SELECT id FROM users')).map((r) => str(r['id'])));
    for (const id of accounts) if (!users.has(id)) found.push(`user ${id} is in auth but not in messaging's users`);
    for (const id of users) if (!accounts.has(id)) found.push(`user ${id} is in messaging's users but not in auth`);

    // Files: messaging knows each file in the state files has it; a file files no longer has is deleted there.
    const stored = new Map((await this.files.query<{ id: string; status: string }>('SELECT id, status FROM files')).rows.map((r) => [r.id, r.status]));
    const attachable = new Map((await this.cql('SELECT id, status FROM attachable_files')).map((r) => [str(r['id']), str(r['status'])]));
    for (const [id, status] of stored) {
      if (attachable.get(id) !== status) found.push(`file ${id} is ${status} in files but ${attachable.get(id) ?? 'missing'} in messaging`);
    }
    for (const [id, status] of attachable) if (!stored.has(id) && status !== 'deleted') found.push(`file ${id} is ${status} in messaging but gone from files`);

    // Channel members: files' projection is messaging's table.
    const key = (r: { channel_id: unknown; user_id: unknown }): string => `${str(r.channel_id)}/${str(r.user_id)}`;
    const members = new Set((await this.cql('SELECT channel_id, user_id FROM channel_members')).map((r) => key(r as { channel_id: unknown; user_id: unknown })));
    const filesMembers = new Set((await this.files.query<{ channel_id: string; user_id: string }>('SELECT channel_id, user_id FROM channel_members')).rows.map(key));
    for (const m of members) if (!filesMembers.has(m)) found.push(`channel member ${m} is missing from files' projection`);
    for (const m of filesMembers) if (!members.has(m)) found.push(`channel member ${m} is in files' projection but not in messaging`);

    // Workspace members: presence's set of each user is messaging's.
    const byUser = new Map<string, Set<string>>();
    for (const r of await this.cql('SELECT workspace_id, user_id FROM workspace_members')) {
      const user = str(r['user_id']);
      byUser.set(user, (byUser.get(user) ?? new Set()).add(str(r['workspace_id'])));
    }
    for (const user of users) {
      const expected = [...(byUser.get(user) ?? [])].sort();
      const projected = (await this.redis.smembers(`u:${user}:ws`)).sort();
      if (expected.join() !== projected.join()) found.push(`user ${user}: workspaces ${expected.join(',') || 'none'} in messaging, ${projected.join(',') || 'none'} in presence`);
    }
    return found;
  }
}
