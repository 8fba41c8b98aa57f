import { readFileSync } from 'node:fs';
import { clusterServiceEnv, clusterTopology, evenTokens } from './cluster';
import { CASSANDRA_YAML } from './engines/cassandra';
import { clusterNodeYaml } from './engines/cluster-nodes';
import { renderKafkaProperties } from './engines/kafka';

describe('the local cluster', () => {
  it('splits the Murmur3 ring in equal ranges, one token per node', () => {
    expect(evenTokens(3)).toEqual(['-9223372036854775808', '-3074457345618258603', '3074457345618258602']);
  });

  it('lays out three brokers and three nodes beside the single ones, overridable per variable', () => {
    const topology = clusterTopology({});
    expect(topology.kafka.map((n) => `${n.id}@${n.host}:${n.port}/${n.controllerPort}`)).toEqual(['1@127.0.0.1:19092/19192', '2@127.0.0.1:19093/19193', '3@127.0.0.1:19094/19194']);
    expect(topology.cassandra.map((n) => `${n.host}:${n.port} jmx ${n.jmxPort}`)).toEqual(['127.0.0.2:9042 jmx 7201', '127.0.0.3:9042 jmx 7202', '127.0.0.4:9042 jmx 7203']);
    const moved = clusterTopology({ CLUSTER_KAFKA_PORT: '29092', CLUSTER_CASSANDRA_HOSTS: '127.0.1.1,127.0.1.2,127.0.1.3', CLUSTER_CASSANDRA_HEAP: '1g' });
    expect(moved.kafka.map((n) => n.port)).toEqual([29092, 29093, 29094]);
    expect(moved.cassandra.map((n) => n.host)).toEqual(['127.0.1.1', '127.0.1.2', '127.0.1.3']);
    expect(moved.cassandraHeap).toBe('1g');
    expect(() => clusterTopology({ CLUSTER_CASSANDRA_HOSTS: '127.0.0.2,127.0.0.2,127.0.0.3' })).toThrow('CLUSTER_CASSANDRA_HOSTS');
    expect(() => clusterTopology({ CLUSTER_KAFKA_HEAP: 'lots' })).toThrow('CLUSTER_KAFKA_HEAP');
  });

  it('points the services at every node with replication 3 and LOCAL_QUORUM', () => {
    expect(clusterServiceEnv(clusterTopology({}))).toEqual({
      KAFKA_BROKERS: '127.0.0.1:19092,127.0.0.1:19093,127.0.0.1:19094',
      KAFKA_REPLICATION_FACTOR: '3',
      CASSANDRA_CONTACT_POINTS: '127.0.0.2:9042,127.0.0.3:9042,127.0.0.4:9042',
      CASSANDRA_LOCAL_DC: 'datacenter1',
      CASSANDRA_REPLICATION: 'NetworkTopologyStrategy:datacenter1=3',
      CASSANDRA_CONSISTENCY: 'localQuorum',
    });
  });

  it('configures a Kafka node as one of three voters with replication 3 and min.insync.replicas 2', () => {
    const props = renderKafkaProperties({
      dataDir: '/d',
      host: '127.0.0.1',
      port: 19093,
      controllerPort: 19193,
      nodeId: 2,
      cluster: { voters: ['1@127.0.0.1:19192', '2@127.0.0.1:19193', '3@127.0.0.1:19194'], replicationFactor: 3, minInsyncReplicas: 2 },
    });
    for (const line of [
      'node.id=2',
      'controller.quorum.voters=1@127.0.0.1:19192,2@127.0.0.1:19193,3@127.0.0.1:19194',
      'default.replication.factor=3',
      'min.insync.replicas=2',
      'offsets.topic.replication.factor=3',
      'unclean.leader.election.enable=false',
    ]) {
      expect(props.split('\n')).toContain(line);
    }
    // The cluster keeps PLAINTEXT only: no SASL listener, no authorizer (the single node's, npm start's).
    expect(props).not.toMatch(/SASL|sasl\.|authorizer|super\.users/);
  });

  it('makes a Cassandra node of the shared yaml: own address, first node as seed, its token, hints on, no logins', () => {
    const [seed, , node] = clusterTopology({}).cassandra;
    if (!seed || !node) throw new Error('three nodes expected');
    const yaml = clusterNodeYaml(readFileSync(CASSANDRA_YAML, 'utf8'), node, seed);
    for (const line of [
      "cluster_name: 'chat-cluster'",
      'listen_address: 127.0.0.4',
      'rpc_address: 127.0.0.4',
      'initial_token: 3074457345618258602',
      'endpoint_snitch: GossipingPropertyFileSnitch',
      'hinted_handoff_enabled: true',
      'auto_bootstrap: false',
      '      - seeds: "127.0.0.2:7000"',
      'authenticator: AllowAllAuthenticator',
      'authorizer: AllowAllAuthorizer',
    ]) {
      expect(yaml.split('\n')).toContain(line);
    }
  });
});
