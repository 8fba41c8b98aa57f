// `npm start`'s Cassandra role on a real node with the local cassandra.yaml (PasswordAuthenticator,
// CassandraAuthorizer): nobody gets in without a login, Cassandra's default superuser password no
// longer opens it, and messaging's role applies messaging's migrations to its own keyspace, reads
// and writes there, and may touch no other keyspace. The node: the local one (testEngines) when it
// asks for a login; otherwise (a node started with the yaml from before logins, the integration
// tier's containers, which run without them, or none answering) a private node of this spec's own.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Global, Logger, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CassandraClient, CassandraModule } from '@chat/cassandra';
import { CASSANDRA_SUPERUSER, type CassandraLogin, testEngines } from '@chat/infra';
import { CASSANDRA_DEFAULT_SUPERUSER, type CassandraNodeAddress, cassandraOpenToAnyone, isLoginRefused, withCassandraSession } from '@chat/infra/cassandra-auth';
import { privateCassandra, type PrivateEngine } from '@chat/infra/private-engine';
import { ReadinessRegistry } from '@chat/service-kit';
import { freePort, uniqueName } from '@chat/testing';
import { type Client } from 'cassandra-driver';
import { ensureCassandraRoles, localCassandraAsksForLogin, localCassandraRoles, type LocalCassandraRole } from './local-cassandra-roles';

jest.setTimeout(300_000);

const MESSAGING_MIGRATIONS = join(__dirname, '..', '..', '..', 'apps', 'messaging', 'src', 'migrations');

@Global()
@Module({ providers: [ReadinessRegistry], exports: [ReadinessRegistry] })
class ReadinessModule {}

/** '' when `work` succeeded, 'refused login' when the login was, 'unauthorized' for a missing permission, else the message. */
async function outcome(node: CassandraNodeAddress, login: CassandraLogin | undefined, work: (session: Client) => Promise<unknown>): Promise<string> {
  try {
    await withCassandraSession(node, login, work);
    return '';
  } catch (error) {
    if (isLoginRefused(error)) return 'refused login';
    // Unauthorized (0x2100): the role lacks the permission.
    if (typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 0x2100) return 'unauthorized';
    return error instanceof Error ? error.message : String(error);
  }
}

describe("npm start: messaging's own Cassandra role, on a node that asks for a login", () => {
  const dir = mkdtempSync(join(tmpdir(), 'cassandra-roles-'));
  const run = uniqueName('cr');
  const other = `${uniqueName('cr')}_other`;
  let roles: LocalCassandraRole[];
  let role: LocalCassandraRole;
  let node: CassandraNodeAddress;
  let engine: PrivateEngine | undefined;

  const login = (r: LocalCassandraRole, password = r.password): CassandraLogin => ({ username: r.username, password });
  const asSuperuser = <T>(work: (session: Client) => Promise<T>): Promise<T> => withCassandraSession(node, CASSANDRA_SUPERUSER, work, 120_000);

  beforeAll(async () => {
    roles = localCassandraRoles(run, dir);
    const first = roles[0];
    if (first === undefined) throw new Error('no Cassandra role for messaging');
    role = first;
    const local = testEngines().cassandra;
    const usable = await cassandraOpenToAnyone(local).then(
      (open) => !open,
      () => false,
    );
    if (usable) {
      node = local;
    } else {
      engine = await privateCassandra({ dir: join(dir, 'cassandra'), port: await freePort(), storagePort: await freePort(), jmxPort: await freePort(), heap: '768m' });
      await engine.start();
      node = { contactPoints: [engine.endpoint], localDataCenter: local.localDataCenter };
    }
    await expect(localCassandraAsksForLogin(node)).resolves.toBe(true);
    await ensureCassandraRoles(roles, node);
    // Idempotent: the next `npm start` sets the same role and keyspace again.
    await expect(ensureCassandraRoles(roles, node)).resolves.toEqual([`cassandra: role ${role.username} may use keyspace ${role.keyspace} only`]);
    await asSuperuser((session) =>
      session.execute(`CREATE KEYSPACE IF NOT EXISTS ${other} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`).then(() =>
        session.execute(`CREATE TABLE IF NOT EXISTS ${other}.notes (id text PRIMARY KEY, body text)`),
      ),
    );
  });

  afterAll(async () => {
    if (node !== undefined) {
      await asSuperuser(async (session) => {
        for (const keyspace of [role.keyspace, other]) await session.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`, [], { readTimeout: 60_000 });
        await session.execute(`DROP ROLE IF EXISTS ${role.username}`);
      }).catch(() => undefined);
    }
    await engine?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it("lets nobody in without a login, nor with Cassandra's default superuser password or a wrong one", async () => {
    const query = (session: Client): Promise<unknown> => session.execute('SELECT release_version FROM system.local');
    await expect(outcome(node, undefined, query)).resolves.toBe('refused login');
    await expect(outcome(node, CASSANDRA_DEFAULT_SUPERUSER, query)).resolves.toBe('refused login');
    await expect(outcome(node, login(role, 'not-its-password'), query)).resolves.toBe('refused login');
    // The control: the superuser's login (tests and tools) and the role's open it.
    await expect(outcome(node, CASSANDRA_SUPERUSER, query)).resolves.toBe('');
    await expect(outcome(node, login(role), query)).resolves.toBe('');
  });

  it("starts messaging's Cassandra module as its role: messaging's migrations on its keyspace, ready, rows written and read", async () => {
    Logger.overrideLogger(false);
    const moduleRef = await Test.createTestingModule({
      imports: [
        ReadinessModule,
        CassandraModule.forRoot({
          contactPoints: node.contactPoints,
          localDataCenter: node.localDataCenter,
          keyspace: role.keyspace,
          replication: { class: 'SimpleStrategy', replication_factor: 1 },
          migrationsDir: MESSAGING_MIGRATIONS,
          credentials: login(role),
          schemaAgreementTimeoutMs: 120_000,
          requestTimeoutMs: 60_000,
        }),
      ],
    }).compile();
    try {
      await moduleRef.init();
      for (const check of moduleRef.get(ReadinessRegistry).list()) await check.check();
      const db = moduleRef.get(CassandraClient);
      const applied = await db.execute('SELECT version FROM schema_migrations');
      expect(applied.rows.length).toBe(readdirSync(MESSAGING_MIGRATIONS).filter((file) => file.endsWith('.cql')).length);
      // A lightweight transaction, as the service's own keyspace_settings claim takes.
      await db.execute("INSERT INTO keyspace_settings (name, value) VALUES ('spec', 'written as the role') IF NOT EXISTS");
      await expect(db.execute("SELECT value FROM keyspace_settings WHERE name = 'spec'").then((r) => r.rows[0]?.['value'])).resolves.toBe('written as the role');
    } finally {
      await moduleRef.close();
    }
  });

  it('refuses the role every other keyspace: reading, writing, changing its schema, creating or dropping one', async () => {
    const as = login(role);
    // The controls: the superuser reads and writes the other keyspace.
    await expect(outcome(node, CASSANDRA_SUPERUSER, (s) => s.execute(`INSERT INTO ${other}.notes (id, body) VALUES ('a', 'b')`))).resolves.toBe('');
    await expect(outcome(node, CASSANDRA_SUPERUSER, (s) => s.execute(`SELECT * FROM ${other}.notes`))).resolves.toBe('');
    await expect(outcome(node, as, (s) => s.execute(`SELECT * FROM ${other}.notes`))).resolves.toBe('unauthorized');
    await expect(outcome(node, as, (s) => s.execute(`INSERT INTO ${other}.notes (id, body) VALUES ('x', 'y')`))).resolves.toBe('unauthorized');
    await expect(outcome(node, as, (s) => s.execute(`CREATE TABLE ${other}.mine (id text PRIMARY KEY)`))).resolves.toBe('unauthorized');
    await expect(outcome(node, as, (s) => s.execute(`DROP KEYSPACE ${other}`))).resolves.toBe('unauthorized');
    await expect(outcome(node, as, (s) => s.execute(`CREATE KEYSPACE ${run}_mine WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`))).resolves.toBe('unauthorized');
    // Nor may it hand itself more: roles and grants are the superuser's.
    await expect(outcome(node, as, (s) => s.execute(`GRANT SELECT ON KEYSPACE ${other} TO ${role.username}`))).resolves.toBe('unauthorized');
  });
});
