// The login of the local Cassandra's superuser (tools/infra's single node runs PasswordAuthenticator
// and CassandraAuthorizer). `npm run infra:up` replaces Cassandra's well-known default password with
// this one on a fresh node, and creates the services' own roles as it (npm start). Not a secret, like
// the local S3Proxy's keys: it opens only the local engine, to the tests and tools that create and
// drop keyspaces. The services of `npm start` never use it. tools/infra's endpoints.ts holds the same
// value as CASSANDRA_SUPERUSER (its spec checks they agree). Its own module (no other imports), so the
// libraries' test set-ups read it without the rest of @chat/testing.

export interface CassandraLogin {
  readonly username: string;
  readonly password: string;
}

export const LOCAL_CASSANDRA_SUPERUSER: CassandraLogin = { username: 'cassandra', password: 'local-cassandra-superuser' };

/**
 * The login a test gives its Cassandra clients and the services it starts: CASSANDRA_USERNAME and
 * CASSANDRA_PASSWORD when both are set, else the local superuser (an engine without authentication,
 * such as the integration tier's containers or the cluster's nodes, ignores it).
 */
export function testCassandraLogin(env: NodeJS.ProcessEnv = process.env): CassandraLogin {
  const username = env['CASSANDRA_USERNAME']?.trim();
  const password = env['CASSANDRA_PASSWORD'];
  return username && password ? { username, password } : LOCAL_CASSANDRA_SUPERUSER;
}
