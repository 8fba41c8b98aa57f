// The processes of the local cluster (`infra:up --cluster`, topology in ../cluster.ts): three
// Kafka nodes in KRaft combined mode (each a broker and one of three controller voters) and three
// Cassandra nodes of one datacenter. Same jars and base settings as the single-node engines,
// smaller heaps, and what only a cluster needs: a shared Kafka cluster id, replication 3 with
// min.insync.replicas 2, Cassandra seeds, tokens, hinted handoff, and a snitch under which a
// coordinator reads from itself first (so a read at ONE through a node shows that node's data).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type CassandraNode, type ClusterTopology, type KafkaNode, clusterKafkaBrokers } from '../cluster';
import { CASSANDRA_LOCAL_DC, KAFKA_PROBE_TOPIC } from '../endpoints';
import { probeCassandra, probeKafka, probeKafkaMetadata } from '../probes';
import { CASSANDRA_LOGBACK, CASSANDRA_YAML, cassandraEngine, cassandraJvmArgs } from './cassandra';
import { exists, formatStorageOnce, generateClusterId, kafkaEngine, kafkaJvmArgs, renderKafkaProperties } from './kafka';
import { type JavaEngine, type JavaLaunch, type PrepareContext } from './types';

export const CASSANDRA_CLUSTER_NAME = 'chat-cluster';

/** The cluster id every Kafka node is formatted with: generated once, kept in conf/. */
const clusterIds = new Map<string, Promise<string>>();

/**
 * The nodes are prepared side by side: the first caller generates the id and the others wait for
 * it (each generating its own, as on a machine's first cluster start, gave three clusters of one
 * node that refuse each other, INCONSISTENT_CLUSTER_ID). The file is created exclusively, so
 * another process starting the cluster at the same moment reads the winner's id.
 */
export function kafkaClusterId(context: Pick<PrepareContext, 'layout'>): Promise<string> {
  const file = context.layout.confFile('kafka-cluster.id');
  let id = clusterIds.get(file);
  if (!id) {
    id = readOrCreateClusterId(file);
    clusterIds.set(file, id);
    // A failure is not remembered: the next start tries again.
    id.catch(() => clusterIds.delete(file));
  }
  return id;
}

async function readOrCreateClusterId(file: string): Promise<string> {
  if (await exists(file)) return (await readFile(file, 'utf8')).trim();
  try {
    await writeFile(file, `${generateClusterId()}\n`, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return (await readFile(file, 'utf8')).trim();
}

export function kafkaNodeEngine(node: KafkaNode, topology: ClusterTopology): JavaEngine {
  const brokers = clusterKafkaBrokers(topology);
  const self = [`${node.host}:${node.port}`];
  return {
    ...kafkaEngine,
    name: node.name,
    title: `${kafkaEngine.title} node ${node.id}`,
    ports: [
      { port: node.port, role: `kafka broker ${node.id}` },
      { port: node.controllerPort, role: `kafka controller ${node.id}` },
    ],
    endpoint: self[0] ?? '',
    // No single node answers a round trip alone (2 of 3 voters elect the controller, 2 in-sync
    // copies take a write): the probe passes once the cluster works, through this node.
    // Loading every partition's log on a busy 2-core machine took over 2 minutes once.
    readyTimeoutMs: 240_000,
    async prepare(context: PrepareContext): Promise<JavaLaunch> {
      const dataDir = context.layout.dataDir(node.name);
      await mkdir(dataDir, { recursive: true });
      await mkdir(context.layout.confDir, { recursive: true });
      const propsFile = context.layout.confFile(`${node.name}.properties`);
      await writeFile(
        propsFile,
        renderKafkaProperties({
          dataDir,
          host: node.host,
          port: node.port,
          controllerPort: node.controllerPort,
          nodeId: node.id,
          cluster: {
            voters: topology.kafka.map((n) => `${n.id}@${n.host}:${n.controllerPort}`),
            replicationFactor: topology.replicationFactor,
            minInsyncReplicas: topology.minInsyncReplicas,
          },
        }),
      );
      await formatStorageOnce(context, { dataDir, propsFile, logFile: context.layout.logFile(node.name), clusterId: () => kafkaClusterId(context) });
      return { jvmArgs: kafkaJvmArgs(topology.kafkaHeap), mainArgs: [propsFile] };
    },
    probe: () => probeKafka({ brokers: self, topic: KAFKA_PROBE_TOPIC, replicationFactor: topology.replicationFactor, timeoutMs: 30_000 }),
    quickProbe: async () => {
      const answer = await probeKafkaMetadata(self);
      return `${answer}; bootstrap ${brokers.join(',')}`;
    },
  };
}

/**
 * The shared cassandra.yaml made a cluster node's: its own address, the first node as seed, one
 * token per node (set at first start; auto_bootstrap off because the cluster starts empty, so a
 * node joins at once instead of streaming nothing), hinted handoff on (a node back from an outage
 * gets the writes it missed), and GossipingPropertyFileSnitch: one datacenter (CASSANDRA_LOCAL_DC),
 * and, unlike SimpleSnitch, replicas sorted by proximity with the coordinator itself first.
 */
export function clusterNodeYaml(shared: string, node: CassandraNode, seed: CassandraNode): string {
  const set = (text: string, key: string, value: string): string => {
    const pattern = new RegExp(`^${key}:.*$`, 'm');
    if (!pattern.test(text)) throw new Error(`cassandra.yaml has no ${key}`);
    return text.replace(pattern, `${key}: ${value}`);
  };
  let yaml = set(shared, 'cluster_name', `'${CASSANDRA_CLUSTER_NAME}'`);
  yaml = set(yaml, 'listen_address', node.host);
  yaml = set(yaml, 'rpc_address', node.host);
  yaml = set(yaml, 'storage_port', String(node.storagePort));
  yaml = set(yaml, 'ssl_storage_port', String(node.storagePort + 1));
  yaml = set(yaml, 'native_transport_port', String(node.port));
  yaml = set(yaml, 'initial_token', node.token);
  yaml = set(yaml, 'endpoint_snitch', 'GossipingPropertyFileSnitch');
  yaml = set(yaml, 'hinted_handoff_enabled', 'true');
  // No logins on the cluster (as its Kafka brokers have no SASL listener): system_auth has one replica
  // by default, and the failover tier kills nodes; a node holding the roles' only copy would lock
  // everyone out. Clients that send the superuser's credentials are let in all the same.
  yaml = set(yaml, 'authenticator', 'AllowAllAuthenticator');
  yaml = set(yaml, 'authorizer', 'AllowAllAuthorizer');
  const seeds = /seeds: "[^"]*"/;
  if (!seeds.test(yaml)) throw new Error('cassandra.yaml has no seeds');
  yaml = yaml.replace(seeds, `seeds: "${seed.host}:${seed.storagePort}"`);
  return `${yaml.trimEnd()}\n\n# Cluster node ${node.id} (tools/infra/src/engines/cluster-nodes.ts)\nauto_bootstrap: false\nmax_hint_window: 3h\nhints_flush_period: 2000ms\n`;
}

export function cassandraNodeEngine(node: CassandraNode, topology: ClusterTopology): JavaEngine {
  const seed = topology.cassandra[0] ?? node;
  const self = [`${node.host}:${node.port}`];
  const probe = (): Promise<string> => probeCassandra({ contactPoints: self, localDataCenter: CASSANDRA_LOCAL_DC });
  return {
    ...cassandraEngine,
    name: node.name,
    title: `${cassandraEngine.title} node ${node.id}`,
    ports: [
      { port: node.port, host: node.host, role: `cassandra ${node.id} native/CQL` },
      { port: node.storagePort, host: node.host, role: `cassandra ${node.id} storage` },
      { port: node.jmxPort, role: `cassandra ${node.id} local JMX` },
    ],
    endpoint: self[0] ?? '',
    async prepare(context: PrepareContext): Promise<JavaLaunch> {
      const storageDir = context.layout.dataDir(node.name);
      await mkdir(path.join(storageDir, 'triggers'), { recursive: true });
      await mkdir(context.layout.confDir, { recursive: true });
      const yamlFile = context.layout.confFile(`${node.name}.yaml`);
      await writeFile(yamlFile, clusterNodeYaml(await readFile(CASSANDRA_YAML, 'utf8'), node, seed));
      const rackFile = context.layout.confFile(`${node.name}-rackdc.properties`);
      await writeFile(rackFile, `dc=${CASSANDRA_LOCAL_DC}\nrack=rack1\n`);
      const base = cassandraJvmArgs({
        classpath: context.classpath,
        yamlFile,
        logbackFile: CASSANDRA_LOGBACK,
        storageDir,
        logsDir: path.join(context.layout.logsDir, node.name),
        jmxPort: node.jmxPort,
        heap: topology.cassandraHeap,
      });
      return {
        jvmArgs: [
          // The single node's `-Dcassandra.initial_token=0` would override the yaml's token.
          ...base.filter((arg) => !arg.startsWith('-Dcassandra.initial_token=')),
          `-Dcassandra-rackdc.properties=${pathToFileURL(rackFile).href}`,
        ],
        mainArgs: [],
      };
    },
    probe,
    quickProbe: probe,
  };
}

/** Every process of the cluster, Kafka nodes first (Cassandra nodes start last, one at a time). */
export function clusterEngines(topology: ClusterTopology): JavaEngine[] {
  return [...topology.kafka.map((n) => kafkaNodeEngine(n, topology)), ...topology.cassandra.map((n) => cassandraNodeEngine(n, topology))];
}
