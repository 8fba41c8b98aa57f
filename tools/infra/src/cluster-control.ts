// Failure tests drive the local cluster (`infra:up -- --cluster`, ./cluster.ts) through this:
// kill -9 a node, stop it gracefully, start it again (the same code path as `infra:up`, which finds
// the other nodes running and leaves them be), and run nodetool against a Cassandra node.
import { readFile } from 'node:fs/promises';
import { type ClusterTopology, clusterTopology } from './cluster';
import { JDK17_MODULE_FLAGS } from './engines/cassandra';
import { clusterEngines } from './engines/cluster-nodes';
import { downJavaEngine, upJavaEngine } from './engines/java-engine';
import { type JavaEngine } from './engines/types';
import { javaCommand } from './java';
import { type InfraLayout, infraLayout, resolveInfraDir } from './layout';
import { classpathFiles, parseClasspath } from './maven';
import { TurnQueue } from './mutex';
import { isProcessAlive, managedPid, runToCompletion } from './process';
import { type Reporter } from './report';
import { sleep } from './wait';

export class ClusterControl {
  readonly topology: ClusterTopology;
  private readonly layout: InfraLayout;
  private readonly engines: Map<string, JavaEngine>;

  constructor(
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly reporter: Reporter = { say: (engine, message) => console.log(`[${engine}] ${message}`) },
  ) {
    this.topology = clusterTopology(env);
    this.layout = infraLayout(resolveInfraDir(env, process.cwd()));
    this.engines = new Map(clusterEngines(this.topology).map((engine) => [engine.name, engine]));
  }

  private engine(name: string): JavaEngine {
    const engine = this.engines.get(name);
    if (!engine) throw new Error(`no cluster node ${name} (nodes: ${[...this.engines.keys()].join(', ')})`);
    return engine;
  }

  /** The node's pid when this checkout's instance runs. */
  pid(name: string): Promise<number | undefined> {
    const engine = this.engine(name);
    return managedPid(this.layout.pidFile(name), engine.mainClass);
  }

  /** SIGKILL: a crash. Resolves once the process is gone. */
  async kill(name: string): Promise<void> {
    const pid = await this.pid(name);
    if (pid === undefined) throw new Error(`${name} is not running`);
    process.kill(pid, 'SIGKILL');
    for (let waited = 0; await isProcessAlive(pid); waited += 50) {
      if (waited > 10_000) throw new Error(`${name} (pid ${pid}) survived SIGKILL for 10 s`);
      await sleep(50);
    }
  }

  /** SIGTERM and wait (Kafka's controlled shutdown, Cassandra's drain): a planned restart. */
  async stop(name: string): Promise<void> {
    const result = await downJavaEngine(this.engine(name), this.layout, this.reporter);
    if (result.outcome.includes('still alive')) throw new Error(`${name}: ${result.outcome}`);
  }

  /** Starts the node (if not running) and resolves once it answers as `infra:up` checks it. */
  async start(name: string): Promise<void> {
    const result = await upJavaEngine(this.engine(name), { layout: this.layout, reporter: this.reporter, mavenTurn: new TurnQueue().reserve(), env: this.env });
    if (result.status === 'failed') throw new Error(`${name} did not come back: ${result.detail}`);
  }

  /** nodetool against a Cassandra node's local JMX; resolves with its output, rejects on failure. */
  async nodetool(name: string, args: readonly string[]): Promise<string> {
    const node = this.topology.cassandra.find((n) => n.name === name);
    if (!node) throw new Error(`no Cassandra node ${name}`);
    const { classpathFile } = classpathFiles(this.layout, 'cassandra');
    const classpath = parseClasspath(await readFile(classpathFile, 'utf8'));
    const run = await runToCompletion(
      javaCommand(this.env),
      [...JDK17_MODULE_FLAGS, '-Xmx128m', '-cp', classpath.join(':'), 'org.apache.cassandra.tools.NodeTool', '-h', '127.0.0.1', '-p', String(node.jmxPort), ...args],
      { env: this.env },
    );
    if (run.code !== 0) throw new Error(`nodetool ${args.join(' ')} on ${name} failed (exit ${String(run.code ?? run.signal)}):\n${run.output}`);
    return run.output;
  }
}
