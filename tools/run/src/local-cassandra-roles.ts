// Locally, too, messaging logs in to Cassandra as a role of its own, granted all permissions on its
// keyspace and nothing else, as in compose (CASSANDRA_AUTH=password) and Kubernetes (the
// cassandra-roles Job). At every start `npm start` creates the run's keyspace (the role may not
// create keyspaces) and creates or updates the role, as the local superuser (CASSANDRA_SUPERUSER of
// tools/infra, whose password infra:up set). Roles are named after the run like the Kafka users:
// chat_<run>_messaging. The password is generated once into .local/.
import { CASSANDRA_CONTACT_POINTS, CASSANDRA_LOCAL_DC } from '@chat/infra';
import { type ServiceRole, cassandraOpenToAnyone, ensureServiceRole } from '@chat/infra/cassandra-auth';
import { localSecretFile } from './local-secrets';

export type LocalCassandraRole = ServiceRole & { readonly service: 'messaging' };

/** Messaging's keyspace in a run (services.ts gives messaging the same CASSANDRA_KEYSPACE), or its default. */
export function runMessagingKeyspace(run: string | null): string {
  return run ? `${run}_messaging` : 'chat_messaging';
}

/** The roles of one `npm start`: messaging's (the only service on Cassandra). */
export function localCassandraRoles(run: string | null, dir?: string): LocalCassandraRole[] {
  return [{ service: 'messaging', username: `chat_${run ?? 'local'}_messaging`, password: localSecretFile('cassandra-messaging-password', dir), keyspace: runMessagingKeyspace(run) }];
}

const LOCAL_NODE = { contactPoints: CASSANDRA_CONTACT_POINTS, localDataCenter: CASSANDRA_LOCAL_DC };

/**
 * False when the local node lets anyone in (started with the cassandra.yaml from before logins):
 * it has no roles to log in as until it restarts.
 */
export async function localCassandraAsksForLogin(node = LOCAL_NODE): Promise<boolean> {
  return !(await cassandraOpenToAnyone(node));
}

/** Creates the roles' keyspaces, creates or updates the roles; resolves to one summary line per role. */
export async function ensureCassandraRoles(roles: readonly LocalCassandraRole[], node = LOCAL_NODE): Promise<string[]> {
  const summaries: string[] = [];
  for (const role of roles) summaries.push(await ensureServiceRole(node, role));
  return summaries;
}
