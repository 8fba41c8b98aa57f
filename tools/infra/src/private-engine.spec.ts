import { readFileSync } from 'node:fs';
import { CASSANDRA_YAML } from './engines/cassandra';
import { privateCassandraYaml } from './private-engine';

describe('privateCassandraYaml', () => {
  const yaml = privateCassandraYaml(readFileSync(CASSANDRA_YAML, 'utf8'), { port: 19042, storagePort: 17000 }, 'chat-private-19042');

  it('moves every port and seeds only itself, under its own cluster name', () => {
    expect(yaml).toMatch(/^native_transport_port: 19042$/m);
    expect(yaml).toMatch(/^storage_port: 17000$/m);
    expect(yaml).toMatch(/^ssl_storage_port: 17001$/m);
    expect(yaml).toMatch(/^cluster_name: 'chat-private-19042'$/m);
    expect(yaml).toContain('seeds: "127.0.0.1:17000"');
  });

  it("keeps the shared node's logins and permissions (the same superuser login opens it)", () => {
    expect(yaml).toMatch(/^authenticator: PasswordAuthenticator$/m);
    expect(yaml).toMatch(/^authorizer: CassandraAuthorizer$/m);
  });

  it('keeps nothing that points at the shared node', () => {
    expect(yaml).not.toMatch(/:7000\b|: 9042$|'chat-local'/m);
  });

  it('refuses a yaml it cannot rewrite', () => {
    expect(() => privateCassandraYaml('cluster_name: x\n', { port: 1, storagePort: 2 }, 'y')).toThrow(/storage_port/);
  });
});
