/**
 * The local three-node cluster of `npm run infra:up -- --cluster`: where its Kafka brokers and
 * Cassandra nodes listen, how big they are, and the variables that point a service at it. Beside
 * the single-node engines, never on their addresses: Kafka brokers on their own ports of
 * 127.0.0.1, Cassandra nodes on their own loopback addresses (127.0.0.2–4 by default: Linux routes
 * all of 127/8 to lo; on macOS add them first, `sudo ifconfig lo0 alias 127.0.0.2 up`…) with
 * the usual ports, and their own local JMX ports for nodetool.
 */
import { CASSANDRA_LOCAL_DC, LOCAL_HOST } from './endpoints';

export const CLUSTER_SIZE = 3;

export interface KafkaNode {
  /** 1, 2, 3: the KRaft node.id, and the process name `kafka-<id>`. */
  readonly id: number;
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly controllerPort: number;
}

export interface CassandraNode {
  readonly id: number;
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly storagePort: number;
  /** Local-only JMX (bound to 127.0.0.1 whatever the node's address): one port per node. */
  readonly jmxPort: number;
  /** Its one token: the ring split in three equal ranges. */
  readonly token: string;
}

export interface ClusterTopology {
  readonly kafka: readonly KafkaNode[];
  readonly cassandra: readonly CassandraNode[];
  readonly kafkaHeap: { readonly min: string; readonly max: string };
  readonly cassandraHeap: string;
  /** Topics: replication 3; a write with acks=all needs 2 in-sync copies. */
  readonly replicationFactor: number;
  readonly minInsyncReplicas: number;
}

export const CLUSTER_DEFAULTS = {
  /** Broker i (0-based) listens on KAFKA_PORT + i, its controller on KAFKA_CONTROLLER_PORT + i. */
  KAFKA_PORT: 19092,
  KAFKA_CONTROLLER_PORT: 19192,
  CASSANDRA_HOSTS: ['127.0.0.2', '127.0.0.3', '127.0.0.4'],
  CASSANDRA_PORT: 9042,
  CASSANDRA_STORAGE_PORT: 7000,
  /** Node i's JMX on CASSANDRA_JMX_PORT + i (the single node's is 7199). */
  CASSANDRA_JMX_PORT: 7201,
  /** Fits the 2-core, 24 GiB machine with the services: measured in tools/infra/README.md. */
  KAFKA_HEAP: '384m',
  CASSANDRA_HEAP: '768m',
} as const;

/** Murmur3 tokens that split the ring in `n` equal ranges (num_tokens 1 per node). */
export function evenTokens(n: number): string[] {
  const span = 2n ** 64n;
  const min = -(2n ** 63n);
  return Array.from({ length: n }, (_, i) => String(min + (span * BigInt(i)) / BigInt(n)));
}

/**
 * The topology, overridable per variable (all optional): CLUSTER_KAFKA_PORT,
 * CLUSTER_KAFKA_CONTROLLER_PORT, CLUSTER_CASSANDRA_HOSTS (three comma-separated addresses),
 * CLUSTER_CASSANDRA_PORT, CLUSTER_CASSANDRA_STORAGE_PORT, CLUSTER_CASSANDRA_JMX_PORT,
 * CLUSTER_KAFKA_HEAP, CLUSTER_CASSANDRA_HEAP.
 */
export function clusterTopology(env: NodeJS.ProcessEnv = process.env): ClusterTopology {
  const port = (name: string, fallback: number): number => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1 || value > 65535 - CLUSTER_SIZE) throw new Error(`${name} must be a port number (got ${raw})`);
    return value;
  };
  const heap = (name: string, fallback: string): string => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    if (!/^\d+[mg]$/.test(raw)) throw new Error(`${name} must be a heap size such as 512m or 1g (got ${raw})`);
    return raw;
  };
  const hostsRaw = env['CLUSTER_CASSANDRA_HOSTS']?.trim();
  const hosts = hostsRaw ? hostsRaw.split(',').map((h) => h.trim()) : [...CLUSTER_DEFAULTS.CASSANDRA_HOSTS];
  if (hosts.length !== CLUSTER_SIZE || hosts.some((h) => !/^\d+\.\d+\.\d+\.\d+$/.test(h)) || new Set(hosts).size !== CLUSTER_SIZE) {
    throw new Error(`CLUSTER_CASSANDRA_HOSTS must be ${CLUSTER_SIZE} distinct IPv4 addresses (got ${hostsRaw ?? ''})`);
  }
  const kafkaPort = port('CLUSTER_KAFKA_PORT', CLUSTER_DEFAULTS.KAFKA_PORT);
  const controllerPort = port('CLUSTER_KAFKA_CONTROLLER_PORT', CLUSTER_DEFAULTS.KAFKA_CONTROLLER_PORT);
  const cqlPort = port('CLUSTER_CASSANDRA_PORT', CLUSTER_DEFAULTS.CASSANDRA_PORT);
  const storagePort = port('CLUSTER_CASSANDRA_STORAGE_PORT', CLUSTER_DEFAULTS.CASSANDRA_STORAGE_PORT);
  const jmxPort = port('CLUSTER_CASSANDRA_JMX_PORT', CLUSTER_DEFAULTS.CASSANDRA_JMX_PORT);
  const tokens = evenTokens(CLUSTER_SIZE);
  const kafkaHeap = heap('CLUSTER_KAFKA_HEAP', CLUSTER_DEFAULTS.KAFKA_HEAP);
  return {
    kafka: Array.from({ length: CLUSTER_SIZE }, (_, i) => ({
      id: i + 1,
      name: `kafka-${i + 1}`,
      host: LOCAL_HOST,
      port: kafkaPort + i,
      controllerPort: controllerPort + i,
    })),
    cassandra: hosts.map((host, i) => ({
      id: i + 1,
      name: `cassandra-${i + 1}`,
      host,
      port: cqlPort,
      storagePort,
      jmxPort: jmxPort + i,
      token: tokens[i] ?? '0',
    })),
    kafkaHeap: { min: kafkaHeap, max: kafkaHeap },
    cassandraHeap: heap('CLUSTER_CASSANDRA_HEAP', CLUSTER_DEFAULTS.CASSANDRA_HEAP),
    replicationFactor: 3,
    minInsyncReplicas: 2,
  };
}

export function clusterKafkaBrokers(topology: ClusterTopology): string[] {
  return topology.kafka.map((n) => `${n.host}:${n.port}`);
}

export function clusterCassandraContactPoints(topology: ClusterTopology): string[] {
  return topology.cassandra.map((n) => `${n.host}:${n.port}`);
}

/**
 * What points a service at the cluster (the same variables as in production): every broker and
 * node as bootstrap / contact points, topics with replication 3, the keyspace with 3 replicas in
 * the one datacenter, reads and writes at LOCAL_QUORUM (2 of 3: QUORUM, there being one DC).
 * Producers always send with acks=all (libs/kafka), whatever the mode.
 */
export function clusterServiceEnv(topology: ClusterTopology = clusterTopology()): Record<string, string> {
  return {
    KAFKA_BROKERS: clusterKafkaBrokers(topology).join(','),
    KAFKA_REPLICATION_FACTOR: String(topology.replicationFactor),
    CASSANDRA_CONTACT_POINTS: clusterCassandraContactPoints(topology).join(','),
    CASSANDRA_LOCAL_DC,
    CASSANDRA_REPLICATION: `NetworkTopologyStrategy:${CASSANDRA_LOCAL_DC}=${topology.replicationFactor}`,
    CASSANDRA_CONSISTENCY: 'localQuorum',
  };
}
