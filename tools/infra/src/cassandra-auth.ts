// Logins on the local Cassandra (PasswordAuthenticator and CassandraAuthorizer, cassandra.yaml):
// the superuser's password, replaced on a fresh node as compose's CassandraSetup.java does
// (docker/engines/cassandra), and a service's own role granted its keyspace only (npm start's
// messaging role, tools/run/src/local-cassandra-roles.ts; the statements of compose's entrypoint.sh
// and the Kubernetes cassandra-roles Job). Plain CQL through the Node driver: no JVM to launch.
import { Client, errors } from 'cassandra-driver';
import { CASSANDRA_SUPERUSER, type CassandraLogin } from './endpoints';
import { probeCassandra } from './probes';
import { withTimeout } from './wait';

/** What Cassandra creates on a fresh node (with no role yet): a superuser everybody knows. */
export const CASSANDRA_DEFAULT_SUPERUSER: CassandraLogin = { username: 'cassandra', password: 'cassandra' };

export interface CassandraNodeAddress {
  readonly contactPoints: readonly string[];
  readonly localDataCenter: string;
}

function client(node: CassandraNodeAddress, login: CassandraLogin | undefined, keyspace?: string): Client {
  return new Client({
    contactPoints: [...node.contactPoints],
    localDataCenter: node.localDataCenter,
    ...(login ? { credentials: { username: login.username, password: login.password } } : {}),
    ...(keyspace ? { keyspace } : {}),
    socketOptions: { connectTimeout: 2000, readTimeout: 10_000 },
  });
}

/** The node refused the login (wrong password, or a login needed and none given), as opposed to not answering. */
export function isLoginRefused(error: unknown): boolean {
  if (error instanceof errors.AuthenticationError) return true;
  return error instanceof errors.NoHostAvailableError && Object.values(error.innerErrors as Record<string, unknown>).some((inner) => inner instanceof errors.AuthenticationError);
}

/** Runs `work` on a session logged in as `login`; the session is always shut down. */
export async function withCassandraSession<T>(node: CassandraNodeAddress, login: CassandraLogin | undefined, work: (session: Client) => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const session = client(node, login);
  try {
    return await withTimeout('cassandra session', timeoutMs, session.connect().then(() => work(session)));
  } finally {
    await session.shutdown().catch(() => undefined);
  }
}

/** True when the node lets a client in without credentials (AllowAllAuthenticator: a node started with an older cassandra.yaml, or a cluster node). */
export async function cassandraOpenToAnyone(node: CassandraNodeAddress): Promise<boolean> {
  try {
    await withCassandraSession(node, undefined, (session) => session.execute('SELECT release_version FROM system.local'));
    return true;
  } catch (error) {
    if (isLoginRefused(error)) return false;
    throw error;
  }
}

/**
 * Makes `superuser` (default: the local one) log in: a no-op when it does (or when the node asks for
 * no login); on a fresh node, whose superuser still has Cassandra's default password, replaces that
 * password first, so the default never stays valid past the first start. Rejects while the default
 * role does not exist yet (it is created a moment after the node starts listening): callers retry.
 */
export async function ensureCassandraSuperuser(node: CassandraNodeAddress, superuser: CassandraLogin = CASSANDRA_SUPERUSER): Promise<'ready' | 'replaced the default password'> {
  try {
    await withCassandraSession(node, superuser, (session) => session.execute('SELECT release_version FROM system.local'));
    return 'ready';
  } catch (error) {
    if (!isLoginRefused(error)) throw error;
  }
  if (superuser.username !== CASSANDRA_DEFAULT_SUPERUSER.username) throw new Error(`the Cassandra superuser ${superuser.username} refuses its password`);
  await withCassandraSession(node, CASSANDRA_DEFAULT_SUPERUSER, (session) =>
    session.execute(`ALTER ROLE ${CASSANDRA_DEFAULT_SUPERUSER.username} WITH PASSWORD = ${cqlString(superuser.password)}`),
  );
  return 'replaced the default password';
}

/**
 * The probe of a node with the local yaml (infra:up's, a private one): the query as the superuser,
 * one session when its password is in place; on a fresh node, which refuses that login, the
 * default password is replaced first (ensureCassandraSuperuser) and the query asked again.
 */
export async function probeCassandraAsSuperuser(node: CassandraNodeAddress, timeoutMs?: number): Promise<string> {
  const query = (): Promise<string> => probeCassandra({ ...node, credentials: CASSANDRA_SUPERUSER, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
  try {
    return await query();
  } catch (error) {
    if (!isLoginRefused(error)) throw error;
  }
  const superuser = await ensureCassandraSuperuser(node, CASSANDRA_SUPERUSER);
  const answer = await query();
  return superuser === 'ready' ? answer : `${answer} (${superuser} of the superuser)`;
}

export interface ServiceRole {
  /** Lower-case letters, digits and `_` (an unquoted CQL name). */
  readonly username: string;
  readonly password: string;
  /** Created if missing (SimpleStrategy, replication factor 1: a single node); the role gets all permissions on it, nothing else. */
  readonly keyspace: string;
}

const KEYSPACE = /^[a-z][a-z0-9_]{0,47}$/;
const ROLE = /^[a-z][a-z0-9_]{0,99}$/;

/**
 * The statements that create (or, when it `exists`, update) a service's role and its keyspace:
 * those of compose's entrypoint.sh, without its CREATE-then-ALTER (Cassandra 5 refuses a second
 * password change within seconds of the first).
 */
export function serviceRoleCql(role: ServiceRole, exists: boolean): string[] {
  if (!ROLE.test(role.username)) throw new Error(`not a role name: ${JSON.stringify(role.username)}`);
  if (!KEYSPACE.test(role.keyspace)) throw new Error(`not a keyspace name: ${JSON.stringify(role.keyspace)}`);
  return [
    `CREATE KEYSPACE IF NOT EXISTS ${role.keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1} AND durable_writes = true`,
    // An existing role keeps in step with a changed password (a new .local/ file).
    exists
      ? `ALTER ROLE ${role.username} WITH PASSWORD = ${cqlString(role.password)} AND LOGIN = true`
      : `CREATE ROLE IF NOT EXISTS ${role.username} WITH PASSWORD = ${cqlString(role.password)} AND LOGIN = true`,
    `GRANT ALL PERMISSIONS ON KEYSPACE ${role.keyspace} TO ${role.username}`,
  ];
}

/** Creates or updates `role` as `superuser`; resolves to a summary line. */
export async function ensureServiceRole(node: CassandraNodeAddress, role: ServiceRole, superuser: CassandraLogin = CASSANDRA_SUPERUSER): Promise<string> {
  await withCassandraSession(node, superuser, async (session) => {
    const found = await session.execute('SELECT role FROM system_auth.roles WHERE role = ?', [role.username], { prepare: true });
    for (const statement of serviceRoleCql(role, found.rowLength > 0)) await executeWaitingOutRoleChanges(session, statement);
  });
  return `cassandra: role ${role.username} may use keyspace ${role.keyspace} only`;
}

/**
 * Cassandra 5 lets a role's password change at most every few seconds and answers Overloaded
 * before then (a CREATE ROLE followed by ALTER ROLE on a fresh role): wait that out, as
 * CassandraSetup.java does.
 */
async function executeWaitingOutRoleChanges(session: Client, statement: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await session.execute(statement);
      return;
    } catch (error) {
      const overloaded = error instanceof errors.ResponseError && error.code === 0x1001;
      if (!overloaded || attempt === 3) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5_500));
    }
  }
}

function cqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
