// The login of the options reaches the driver: a PlainTextAuthProvider with that username and
// password (what PasswordAuthenticator asks for); none without credentials.
import { auth, type Client } from 'cassandra-driver';
import { resolveCassandraOptions } from '../cassandra.options';
import { createDriverClient } from './driver-client';

/** The auth provider the driver made from the options (its resolved options are not in its typings). */
const authProviderOf = (client: Client): unknown => (client as unknown as { options: { authProvider?: unknown } }).options.authProvider;

const base = { contactPoints: ['127.0.0.1:9042'], localDataCenter: 'dc1', keyspace: 'chat', migrationsDir: '/m', replication: { class: 'SimpleStrategy', replication_factor: 1 } };

describe('createDriverClient', () => {
  it("logs in with the options' credentials, and without any when there are none", async () => {
    const withLogin = createDriverClient(resolveCassandraOptions({ ...base, credentials: { username: 'messaging', password: 'c-secret' } }));
    const provider = authProviderOf(withLogin) as auth.PlainTextAuthProvider & { username: string; password: string };
    expect(provider).toBeInstanceOf(auth.PlainTextAuthProvider);
    expect([provider.username, provider.password]).toEqual(['messaging', 'c-secret']);
    const anonymous = createDriverClient(resolveCassandraOptions(base));
    expect(authProviderOf(anonymous)).not.toBeInstanceOf(auth.PlainTextAuthProvider);
    await Promise.all([withLogin.shutdown(), anonymous.shutdown()]);
  });
});
