import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { probeCassandraAsSuperuser } from '../cassandra-auth';
import { CASSANDRA_CONTACT_POINTS, CASSANDRA_JMX_PORT, CASSANDRA_LOCAL_DC, CASSANDRA_PORT, CASSANDRA_STORAGE_PORT, CASSANDRA_SUPERUSER } from '../endpoints';
import { findJar } from '../java';
import { TOOL_ROOT } from '../layout';
import { pomVersion } from '../maven';
import { probeCassandra } from '../probes';
import { type JavaEngine, type JavaLaunch, type PrepareContext } from './types';

const POM = path.join(TOOL_ROOT, 'maven', 'cassandra', 'pom.xml');
export const CASSANDRA_YAML = path.join(TOOL_ROOT, 'cassandra', 'cassandra.yaml');
export const CASSANDRA_LOGBACK = path.join(TOOL_ROOT, 'cassandra', 'logback.xml');

/**
 * JPMS flags from Cassandra 5.0's conf/jvm17-server.options: Cassandra reaches into JDK
 * internals (jamm, Netty, Chronicle, the security manager, JMX).
 */
export const JDK17_MODULE_FLAGS: readonly string[] = [
  '--add-exports', 'java.base/jdk.internal.misc=ALL-UNNAMED',
  '--add-exports', 'java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED',
  '--add-exports', 'java.rmi/sun.rmi.registry=ALL-UNNAMED',
  '--add-exports', 'java.rmi/sun.rmi.server=ALL-UNNAMED',
  '--add-exports', 'java.sql/java.sql=ALL-UNNAMED',
  '--add-exports', 'java.base/java.lang.ref=ALL-UNNAMED',
  '--add-exports', 'jdk.unsupported/sun.misc=ALL-UNNAMED',
  '--add-exports', 'jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED',
  '--add-exports', 'jdk.attach/sun.tools.attach=ALL-UNNAMED',
  '--add-opens', 'java.base/java.lang.module=ALL-UNNAMED',
  '--add-opens', 'java.base/jdk.internal.loader=ALL-UNNAMED',
  '--add-opens', 'java.base/jdk.internal.ref=ALL-UNNAMED',
  '--add-opens', 'java.base/jdk.internal.reflect=ALL-UNNAMED',
  '--add-opens', 'java.base/jdk.internal.math=ALL-UNNAMED',
  '--add-opens', 'java.base/jdk.internal.module=ALL-UNNAMED',
  '--add-opens', 'java.base/jdk.internal.util.jar=ALL-UNNAMED',
  '--add-opens', 'jdk.management/com.sun.management.internal=ALL-UNNAMED',
  '--add-opens', 'java.base/sun.nio.ch=ALL-UNNAMED',
  '--add-opens', 'java.base/java.io=ALL-UNNAMED',
  '--add-opens', 'java.base/java.lang.reflect=ALL-UNNAMED',
  '--add-opens', 'jdk.compiler/com.sun.tools.javac=ALL-UNNAMED',
  '--add-opens', 'java.base/java.lang=ALL-UNNAMED',
  '--add-opens', 'java.base/java.util=ALL-UNNAMED',
  '--add-opens', 'java.base/java.nio=ALL-UNNAMED',
];

export interface CassandraJvmInput {
  readonly classpath: readonly string[];
  readonly yamlFile: string;
  readonly logbackFile: string;
  /** Data, commitlog, saved_caches, hints and cdc_raw go below this (cassandra.storagedir). */
  readonly storageDir: string;
  readonly logsDir: string;
  readonly jmxPort: number;
  /** Heap size (-Xms = -Xmx). Default 2g; a test's private instance runs with less. */
  readonly heap?: string;
}

export function cassandraJvmArgs(input: CassandraJvmInput): string[] {
  const jamm = findJar(input.classpath, 'jamm');
  if (jamm === undefined) throw new Error('jamm jar not found in the cassandra classpath (needed as -javaagent)');
  return [
    // 2 GiB: with 1 GiB, seeding the history benchmark's million messages ran it out of heap.
    `-Xms${input.heap ?? '2g'}`,
    `-Xmx${input.heap ?? '2g'}`,
    '-Xss256k',
    '-XX:+UseG1GC',
    '-XX:+ParallelRefProcEnabled',
    '-XX:MaxTenuringThreshold=1',
    '-XX:G1RSetUpdatingPauseTimePercent=5',
    '-XX:MaxGCPauseMillis=300',
    '-XX:InitiatingHeapOccupancyPercent=70',
    '-XX:+PerfDisableSharedMem',
    '-XX:+ExitOnOutOfMemoryError',
    '-XX:StringTableSize=1000003',
    '-Djava.net.preferIPv4Stack=true',
    '-Djdk.attach.allowAttachSelf=true',
    ...JDK17_MODULE_FLAGS,
    '-Dio.netty.tryReflectionSetAccessible=true',
    '-Dio.netty.allocator.useCacheForAllThreads=true',
    '-Dio.netty.allocator.maxOrder=11',
    `-javaagent:${jamm}`,
    `-Dcassandra.config=${pathToFileURL(input.yamlFile).href}`,
    `-Dcassandra.storagedir=${input.storageDir}`,
    `-Dcassandra.triggers_dir=${path.join(input.storageDir, 'triggers')}`,
    `-Dcassandra.logdir=${input.logsDir}`,
    `-Dlogback.configurationFile=${pathToFileURL(input.logbackFile).href}`,
    '-Dcassandra-foreground=yes',
    // Local-only JMX (127.0.0.1) so nodetool works; no remote JMX.
    `-Dcassandra.jmx.local.port=${input.jmxPort}`,
    // Single fresh node: skip the waits meant for real clusters.
    '-Dcassandra.skip_wait_for_gossip_to_settle=0',
    '-Dcassandra.load_ring_state=false',
    '-Dcassandra.superuser_setup_delay_ms=0',
    '-Dcassandra.initial_token=0',
    '-Dcassandra.num_tokens=1',
  ];
}

async function prepare(context: PrepareContext): Promise<JavaLaunch> {
  const storageDir = context.layout.dataDir('cassandra');
  await mkdir(path.join(storageDir, 'triggers'), { recursive: true });
  return {
    jvmArgs: cassandraJvmArgs({
      classpath: context.classpath,
      yamlFile: CASSANDRA_YAML,
      logbackFile: CASSANDRA_LOGBACK,
      storageDir,
      logsDir: context.layout.logsDir,
      jmxPort: CASSANDRA_JMX_PORT,
    }),
    mainArgs: [],
  };
}

const node = { contactPoints: CASSANDRA_CONTACT_POINTS, localDataCenter: CASSANDRA_LOCAL_DC };
const quickProbe = (): Promise<string> => probeCassandra({ ...node, credentials: CASSANDRA_SUPERUSER });
/** On a fresh node, the default superuser's password is replaced first (cassandra-auth.ts). */
const probe = (): Promise<string> => probeCassandraAsSuperuser(node);

export const cassandraEngine: JavaEngine = {
  name: 'cassandra',
  artifact: 'cassandra',
  title: `Cassandra ${pomVersion(POM, 'cassandra.version')}`,
  mainClass: 'org.apache.cassandra.service.CassandraDaemon',
  ports: [
    { port: CASSANDRA_PORT, role: 'cassandra native/CQL' },
    { port: CASSANDRA_STORAGE_PORT, role: 'cassandra storage' },
    { port: CASSANDRA_JMX_PORT, role: 'cassandra local JMX' },
  ],
  endpoint: CASSANDRA_CONTACT_POINTS.join(','),
  pomFile: POM,
  approxDownloadMb: 70,
  readyTimeoutMs: 180_000,
  startsLast: true,
  // Below the services: under load Cassandra's ~200 threads would otherwise starve the Node
  // event loops (measured: gateway event-loop lag p99 0.8 s; with nice 10, Kafka → gateway hop
  // p50 1.9 s → 0.9 s and 5,000 instead of 4,000 deliveries/s at 500 sends/s, bench fanout).
  niceness: 10,
  readyLogLine: /Startup complete/,
  prepare,
  probe,
  quickProbe,
};
