// Private Kafka and Cassandra instances for failure tests that kill an engine with SIGKILL: the
// shared engines of `npm run infra:up` serve every other test on the machine and must never be
// killed, so such a test starts its own instance on its own ports and data directory, kills and
// restarts it at will, and deletes it afterwards. Same jars (the shared classpath cache, resolved
// offline from ~/.m2) and the same settings as the shared engines, smaller heaps.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { probeCassandraAsSuperuser } from './cassandra-auth';
import { CASSANDRA_LOCAL_DC, KAFKA_PROBE_TOPIC, LOCAL_HOST } from './endpoints';
import { CASSANDRA_LOGBACK, CASSANDRA_YAML, cassandraEngine, cassandraJvmArgs } from './engines/cassandra';
import { generateClusterId, kafkaEngine, kafkaJvmArgs, kafkaLoggingArgs, renderKafkaProperties } from './engines/kafka';
import { type JavaEngine } from './engines/types';
import { ensureJava17, javaCommand, renderArgFile } from './java';
import { infraLayout, resolveInfraDir } from './layout';
import { lastLines } from './log-file';
import { resolveClasspath } from './maven';
import { probeKafka } from './probes';
import { runToCompletion } from './process';
import { waitUntil } from './wait';

export interface PrivateKafkaOptions {
  /** Data, config and log of this instance (created; removed by `destroy`). */
  readonly dir: string;
  readonly port: number;
  readonly controllerPort: number;
  /** A SASL listener with authorization, as the shared single node has (renderKafkaProperties). */
  readonly saslPort?: number;
}

export interface PrivateCassandraOptions {
  readonly dir: string;
  /** CQL port. */
  readonly port: number;
  readonly storagePort: number;
  readonly jmxPort: number;
  /** Default 1g. */
  readonly heap?: string;
}

interface Launch {
  readonly engine: JavaEngine;
  readonly dir: string;
  readonly endpoint: string;
  readonly argFile: string;
  readonly mainArgs: readonly string[];
  readonly niceness?: number;
  readonly readyTimeoutMs: number;
  readonly probe: () => Promise<string>;
}

/** One private engine process: start (waits until it answers), kill -9, stop, destroy. */
export class PrivateEngine {
  private child: ChildProcess | undefined;
  private exit: Promise<void> = Promise.resolve();

  constructor(private readonly launch: Launch) {}

  get name(): string {
    return this.launch.engine.name;
  }

  /** host:port for the services' configuration. */
  get endpoint(): string {
    return this.launch.endpoint;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get logFile(): string {
    return path.join(this.launch.dir, `${this.name}.log`);
  }

  /** Launches the JVM and resolves once the engine answers its probe (rejects with the log's tail). */
  async start(): Promise<void> {
    if (this.running) throw new Error(`private ${this.name} is already running`);
    const { engine } = this.launch;
    const java = javaCommand();
    const args = [`@${this.launch.argFile}`, engine.mainClass, ...this.launch.mainArgs];
    const fd = openSync(this.logFile, 'a');
    try {
      // `nice` execs java, so the pid stays the JVM's and SIGKILL reaches it.
      const child = this.launch.niceness
        ? spawn('nice', ['-n', String(this.launch.niceness), java, ...args], { cwd: this.launch.dir, stdio: ['ignore', fd, fd] })
        : spawn(java, args, { cwd: this.launch.dir, stdio: ['ignore', fd, fd] });
      this.exit = new Promise((resolve) => child.once('exit', () => resolve()));
      this.child = child;
    } finally {
      closeSync(fd);
    }
    const outcome = await waitUntil({
      timeoutMs: this.launch.readyTimeoutMs,
      intervalMs: 500,
      abortReason: () => Promise.resolve(this.running ? undefined : `process exited (${String(this.child?.exitCode ?? this.child?.signalCode)})`),
      attempt: this.launch.probe,
    });
    if (!outcome.ok) {
      const tail = lastLines(await readFile(this.logFile, 'utf8').catch(() => ''), 30).join('\n');
      await this.kill();
      throw new Error(`private ${this.name} did not start (${outcome.detail}); last lines of ${this.logFile}:\n${tail}`);
    }
  }

  /** SIGKILL, and wait until the process is gone: a crash. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child?.kill('SIGKILL');
    await this.exit;
  }

  /** SIGTERM, SIGKILL after `graceMs`. */
  async stop(graceMs = 20_000): Promise<void> {
    if (!this.running) return;
    this.child?.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    try {
      await this.exit;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills the process and deletes its directory. */
  async destroy(): Promise<void> {
    await this.kill();
    await rm(this.launch.dir, { recursive: true, force: true });
  }
}

/** The engine's jars from the shared classpath cache (Maven offline first, as `infra:up` does). */
async function classpathOf(engine: JavaEngine): Promise<string[]> {
  await ensureJava17();
  return resolveClasspath({
    engine: engine.artifact,
    pomFile: engine.pomFile,
    layout: infraLayout(resolveInfraDir(process.env, process.cwd())),
    approxDownloadMb: engine.approxDownloadMb,
    say: () => undefined,
  });
}

/** A single-node KRaft Kafka on its own ports, formatted in `dir`; not started yet. */
export async function privateKafka(options: PrivateKafkaOptions): Promise<PrivateEngine> {
  const classpath = await classpathOf(kafkaEngine);
  const dataDir = path.join(options.dir, 'data');
  await mkdir(dataDir, { recursive: true });
  const propsFile = path.join(options.dir, 'kafka.properties');
  const sasl = options.saslPort !== undefined ? { sasl: { port: options.saslPort } } : {};
  await writeFile(propsFile, renderKafkaProperties({ dataDir, host: LOCAL_HOST, port: options.port, controllerPort: options.controllerPort, ...sasl }));
  const format = await runToCompletion(
    javaCommand(),
    ['-Xmx256m', ...kafkaLoggingArgs('warn'), '-cp', classpath.join(':'), 'kafka.tools.StorageTool', 'format', '-t', generateClusterId(), '-c', propsFile],
  );
  if (format.code !== 0) throw new Error(`private kafka: storage format failed:\n${lastLines(format.output, 20).join('\n')}`);
  const argFile = path.join(options.dir, 'kafka.jvm.args');
  const jvmArgs = kafkaJvmArgs().map((arg) => (arg === '-Xms512m' ? '-Xms256m' : arg === '-Xmx768m' ? '-Xmx512m' : arg));
  await writeFile(argFile, renderArgFile([...jvmArgs, '-cp', classpath.join(':')]));
  const endpoint = `${LOCAL_HOST}:${options.port}`;
  return new PrivateEngine({
    engine: kafkaEngine,
    dir: options.dir,
    endpoint,
    argFile,
    mainArgs: [propsFile],
    readyTimeoutMs: 90_000,
    // The full round trip through a consumer group, as `infra:up` probes: on a fresh broker it also
    // creates __consumer_offsets, without which the services' first group joins fail for good
    // (kafkajs gives up on "group coordinator not available").
    probe: () => probeKafka({ brokers: [endpoint], topic: KAFKA_PROBE_TOPIC, timeoutMs: 30_000 }),
  });
}

/**
 * The shared cassandra.yaml with this instance's ports, its own cluster name and itself as the
 * only seed: it can never gossip with (let alone join) the shared node on the same address.
 */
export function privateCassandraYaml(shared: string, options: Pick<PrivateCassandraOptions, 'port' | 'storagePort'>, clusterName: string): string {
  const set = (text: string, key: string, value: string): string => {
    const pattern = new RegExp(`^${key}:.*$`, 'm');
    if (!pattern.test(text)) throw new Error(`cassandra.yaml has no ${key}`);
    return text.replace(pattern, `${key}: ${value}`);
  };
  let yaml = set(shared, 'cluster_name', `'${clusterName}'`);
  yaml = set(yaml, 'storage_port', String(options.storagePort));
  yaml = set(yaml, 'ssl_storage_port', String(options.storagePort + 1));
  yaml = set(yaml, 'native_transport_port', String(options.port));
  const seeds = /seeds: "[^"]*"/;
  if (!seeds.test(yaml)) throw new Error('cassandra.yaml has no seeds');
  return yaml.replace(seeds, `seeds: "${LOCAL_HOST}:${options.storagePort}"`);
}

/** A single-node Cassandra on its own ports and storage in `dir`; not started yet. */
export async function privateCassandra(options: PrivateCassandraOptions): Promise<PrivateEngine> {
  const classpath = await classpathOf(cassandraEngine);
  const storageDir = path.join(options.dir, 'storage');
  const logsDir = path.join(options.dir, 'logs');
  await mkdir(path.join(storageDir, 'triggers'), { recursive: true });
  await mkdir(logsDir, { recursive: true });
  const yamlFile = path.join(options.dir, 'cassandra.yaml');
  await writeFile(yamlFile, privateCassandraYaml(await readFile(CASSANDRA_YAML, 'utf8'), options, `chat-private-${options.port}`));
  const argFile = path.join(options.dir, 'cassandra.jvm.args');
  const jvmArgs = cassandraJvmArgs({
    classpath,
    yamlFile,
    logbackFile: CASSANDRA_LOGBACK,
    storageDir,
    logsDir,
    jmxPort: options.jmxPort,
    heap: options.heap ?? '1g',
  });
  await writeFile(argFile, renderArgFile([...jvmArgs, '-cp', classpath.join(':')]));
  const endpoint = `${LOCAL_HOST}:${options.port}`;
  return new PrivateEngine({
    engine: cassandraEngine,
    dir: options.dir,
    endpoint,
    argFile,
    mainArgs: [],
    niceness: cassandraEngine.niceness,
    readyTimeoutMs: 240_000,
    // With the shared yaml's PasswordAuthenticator: the superuser's password replaced on first start
    // as infra:up does, so the same login (CASSANDRA_SUPERUSER) opens it.
    probe: () => probeCassandraAsSuperuser({ contactPoints: [endpoint], localDataCenter: CASSANDRA_LOCAL_DC }, 5_000),
  });
}
