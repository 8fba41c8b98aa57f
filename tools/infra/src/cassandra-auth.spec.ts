import { errors } from 'cassandra-driver';
import { isLoginRefused, serviceRoleCql } from './cassandra-auth';

describe('serviceRoleCql', () => {
  const role = { username: 'chat_web1_messaging', password: "it's secret", keyspace: 'web1_messaging' };

  it('creates the keyspace, then the role, and grants it that keyspace only', () => {
    expect(serviceRoleCql(role, false)).toEqual([
      "CREATE KEYSPACE IF NOT EXISTS web1_messaging WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1} AND durable_writes = true",
      "CREATE ROLE IF NOT EXISTS chat_web1_messaging WITH PASSWORD = 'it''s secret' AND LOGIN = true",
      'GRANT ALL PERMISSIONS ON KEYSPACE web1_messaging TO chat_web1_messaging',
    ]);
  });

  it('keeps an existing role in step with its password instead of creating it', () => {
    expect(serviceRoleCql(role, true)[1]).toBe("ALTER ROLE chat_web1_messaging WITH PASSWORD = 'it''s secret' AND LOGIN = true");
  });

  it('refuses names it would have to quote', () => {
    expect(() => serviceRoleCql({ ...role, username: 'chat-web1' }, false)).toThrow(/role name/);
    expect(() => serviceRoleCql({ ...role, keyspace: 'x; DROP KEYSPACE y' }, false)).toThrow(/keyspace name/);
  });
});

describe('isLoginRefused', () => {
  it('tells a refused login from a node that does not answer', () => {
    const refused = new errors.AuthenticationError('Provided username cassandra and/or password are incorrect');
    expect(isLoginRefused(refused)).toBe(true);
    expect(isLoginRefused(new errors.NoHostAvailableError({ '127.0.0.1:9042': refused }))).toBe(true);
    expect(isLoginRefused(new errors.NoHostAvailableError({ '127.0.0.1:9042': new Error('connect ECONNREFUSED') }))).toBe(false);
    expect(isLoginRefused(new Error('timeout'))).toBe(false);
  });
});
