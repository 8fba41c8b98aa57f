import { replicationCql, resolveCassandraOptions } from './cassandra.options';

const base = { contactPoints: ['127.0.0.1:9042'], localDataCenter: 'dc1', keyspace: 'chat', migrationsDir: '/m', replication: { class: 'SimpleStrategy', replication_factor: 1 } };

describe('replicationCql', () => {
  it('renders SimpleStrategy and NetworkTopologyStrategy maps', () => {
    expect(replicationCql({ class: 'SimpleStrategy', replication_factor: 3 })).toBe("{'class': 'SimpleStrategy', 'replication_factor': '3'}");
    expect(replicationCql({ class: 'NetworkTopologyStrategy', dc1: 3, 'eu-west': '2' })).toBe("{'class': 'NetworkTopologyStrategy', 'dc1': '3', 'eu-west': '2'}");
  });

  it('refuses unknown strategies, bad factors and anything that could inject CQL', () => {
    expect(() => replicationCql({ class: 'LocalStrategy' })).toThrow(/unsupported/);
    expect(() => replicationCql({ class: 'SimpleStrategy', replication_factor: 0 })).toThrow();
    expect(() => replicationCql({ class: 'SimpleStrategy', dc1: 1 })).toThrow();
    expect(() => replicationCql({ class: 'NetworkTopologyStrategy', "dc1'}; DROP KEYSPACE x; --": 1 })).toThrow();
    expect(() => replicationCql({ class: 'NetworkTopologyStrategy', dc1: '1; DROP' })).toThrow();
  });
});

describe('resolveCassandraOptions', () => {
  it('applies defaults', () => {
    expect(resolveCassandraOptions(base)).toMatchObject({ consistency: 'localQuorum', readinessTimeoutMs: 1_500, migrationLock: { leaseSeconds: 60 } });
  });

  it('refuses a keyspace that is not a plain identifier', () => {
    expect(() => resolveCassandraOptions({ ...base, keyspace: 'Chat-Prod' })).toThrow(/keyspace/);
  });
});
