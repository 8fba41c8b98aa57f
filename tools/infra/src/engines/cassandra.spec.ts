import { readFileSync } from 'node:fs';
import { CASSANDRA_LOGBACK, CASSANDRA_YAML, JDK17_MODULE_FLAGS, cassandraJvmArgs } from './cassandra';

describe('cassandraJvmArgs', () => {
  const input = {
    classpath: ['/m2/org/a/a-1.jar', '/m2/com/github/jbellis/jamm/0.4.0/jamm-0.4.0.jar', '/m2/c.jar'],
    yamlFile: '/repo/tools/infra/cassandra/cassandra.yaml',
    logbackFile: '/repo/tools/infra/cassandra/logback.xml',
    storageDir: '/repo/.infra/data/cassandra',
    logsDir: '/repo/.infra/logs',
    jmxPort: 7199,
  };
  const args = cassandraJvmArgs(input);

  it('loads jamm from the classpath as the java agent', () => {
    expect(args).toContain('-javaagent:/m2/com/github/jbellis/jamm/0.4.0/jamm-0.4.0.jar');
  });

  it('points Cassandra at the project config, logback and storage dir', () => {
    expect(args).toContain('-Dcassandra.config=file:///repo/tools/infra/cassandra/cassandra.yaml');
    expect(args).toContain('-Dlogback.configurationFile=file:///repo/tools/infra/cassandra/logback.xml');
    expect(args).toContain('-Dcassandra.storagedir=/repo/.infra/data/cassandra');
    expect(args).toContain('-Dcassandra-foreground=yes');
    expect(args).toContain('-Dcassandra.jmx.local.port=7199');
  });

  it('has the fixed 2g heap, G1 and the single-node fast-start flags', () => {
    expect(args).toEqual(
      expect.arrayContaining([
        '-Xms2g',
        '-Xmx2g',
        '-XX:+UseG1GC',
        '-Dcassandra.skip_wait_for_gossip_to_settle=0',
        '-Dcassandra.load_ring_state=false',
        '-Dcassandra.superuser_setup_delay_ms=0',
        '-Dcassandra.initial_token=0',
        '-Dcassandra.num_tokens=1',
      ]),
    );
  });

  it('includes every JDK 17 --add-exports/--add-opens pair', () => {
    for (let i = 0; i < JDK17_MODULE_FLAGS.length; i += 2) {
      const at = args.indexOf(JDK17_MODULE_FLAGS[i + 1] ?? '');
      expect(at).toBeGreaterThan(0);
      expect(args[at - 1]).toBe(JDK17_MODULE_FLAGS[i]);
    }
    expect(JDK17_MODULE_FLAGS.length % 2).toBe(0);
  });

  it('fails clearly without jamm', () => {
    expect(() => cassandraJvmArgs({ ...input, classpath: ['/m2/c.jar'] })).toThrow(/jamm/);
  });
});

describe('tools/infra/cassandra/cassandra.yaml', () => {
  const yaml = readFileSync(CASSANDRA_YAML, 'utf8');
  const value = (key: string): string | undefined => new RegExp(`^${key}:\\s*(.+)$`, 'm').exec(yaml)?.[1]?.trim();

  it('is a single node on loopback with one fixed token', () => {
    expect(value('num_tokens')).toBe('1');
    expect(value('initial_token')).toBe('0');
    expect(value('endpoint_snitch')).toBe('SimpleSnitch');
    expect(value('listen_address')).toBe('127.0.0.1');
    expect(value('rpc_address')).toBe('127.0.0.1');
    expect(value('storage_port')).toBe('7000');
    expect(value('native_transport_port')).toBe('9042');
  });

  it('acknowledges a write only once its commit log entry is synced (one node, no replica)', () => {
    expect(value('commitlog_sync')).toBe('group');
    expect(value('commitlog_sync_group_window')).toBe('10ms');
    expect(value('commitlog_sync_period')).toBeUndefined();
  });

  it('asks every client for a login and checks its permissions (as compose and Kubernetes do)', () => {
    expect(value('authenticator')).toBe('PasswordAuthenticator');
    expect(value('authorizer')).toBe('CassandraAuthorizer');
    expect(value('role_manager')).toBe('CassandraRoleManager');
  });

  it('enables materialized views, SASI and SAI as the default index', () => {
    expect(value('materialized_views_enabled')).toBe('true');
    expect(value('sasi_indexes_enabled')).toBe('true');
    expect(value('default_secondary_index')).toBe('sai');
  });

  it('leaves directories to -Dcassandra.storagedir (no absolute paths in the file)', () => {
    expect(yaml).not.toMatch(/^(data_file_directories|commitlog_directory|hints_directory|saved_caches_directory|cdc_raw_directory):/m);
  });

  it('comes with a logback config that logs INFO, not DEBUG', () => {
    const logback = readFileSync(CASSANDRA_LOGBACK, 'utf8');
    expect(logback).toContain('<root level="INFO">');
    expect(logback).not.toMatch(/level="(DEBUG|TRACE)"/);
  });
});
