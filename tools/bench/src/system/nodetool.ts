// nodetool of the local Cassandra (the one `npm run infra:up` started, found by the port it
// listens on): run with the JVM, classpath and module flags of the running node, read from its
// command line (or the @argument file tools/infra launches it with), against its local-only JMX.
// Cassandra 5.0's virtual tables expose neither Paxos counts nor pending compactions, so the
// bench reads those here:
// - CAS operations of one keyspace: the Count of its Keyspace CasPrepare/CasPropose/CasCommit
//   latency metrics (every lightweight transaction starts with a prepare round; a retry after
//   contention prepares again);
// - pending and running compactions of one keyspace, after a flush.
import { execFile } from 'node:child_process';
import { readFile, readlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { CASSANDRA_JMX_PORT } from '@chat/infra';
import { enginePids } from '../sampler';

const run = promisify(execFile);

export interface CasCounts {
  prepare: number;
  propose: number;
  commit: number;
}

interface Launcher {
  java: string;
  args: string[];
}

/** Splits a JVM @argument file (one argument a line, "quoted" when it holds spaces or quotes). */
export function parseArgFile(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => (line.startsWith('"') && line.endsWith('"') ? line.slice(1, -1).replace(/\\(["\\])/g, '$1') : line));
}

/** From the node's JVM arguments: what nodetool needs (module flags, classpath, logging, JMX port). */
export function nodetoolArgs(jvmArgs: readonly string[]): { args: string[]; jmxPort: number } | undefined {
  const args: string[] = [];
  let classpath: string | undefined;
  let jmxPort = CASSANDRA_JMX_PORT;
  for (let i = 0; i < jvmArgs.length; i++) {
    const arg = jvmArgs[i] ?? '';
    if ((arg === '--add-exports' || arg === '--add-opens') && jvmArgs[i + 1]) args.push(arg, jvmArgs[++i] ?? '');
    else if (arg === '-cp' || arg === '-classpath') classpath = jvmArgs[++i];
    else if (arg.startsWith('-Dlogback.configurationFile=')) args.push(arg);
    else if (arg.startsWith('-Dcassandra.jmx.local.port=')) jmxPort = Number(arg.split('=')[1]);
  }
  if (!classpath) return undefined;
  return { args: [...args, `-Duser.home=${tmpdir()}`, '-cp', classpath, 'org.apache.cassandra.tools.NodeTool', '-h', '127.0.0.1', '-p', String(jmxPort)], jmxPort };
}

async function launcher(): Promise<Launcher> {
  const [pid] = await enginePids('cassandra');
  if (pid === undefined) throw new Error('no Cassandra process found on this machine (npm run infra:up)');
  const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean);
  const jvmArgs: string[] = [];
  for (const arg of cmdline.slice(1)) {
    if (arg.startsWith('@')) jvmArgs.push(...parseArgFile(await readFile(arg.slice(1), 'utf8')));
    else jvmArgs.push(arg);
  }
  const found = nodetoolArgs(jvmArgs);
  if (!found) throw new Error(`could not find the classpath of Cassandra (pid ${pid})`);
  const java = await readlink(`/proc/${pid}/exe`).catch(() => cmdline[0] ?? 'java');
  return { java, args: found.args };
}

let cached: Promise<Launcher> | undefined;

/** Runs one nodetool command; its output without the JVM's debug logging. */
export async function nodetool(args: readonly string[], timeoutMs = 60_000): Promise<string> {
  cached ??= launcher();
  const { java, args: base } = await cached.catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  const { stdout } = await run(java, [...base, ...args], { timeout: timeoutMs, maxBuffer: 16 << 20 });
  return stdout
    .split('\n')
    .filter((line) => !/^\d\d:\d\d:\d\d\.\d+ \[/.test(line))
    .join('\n');
}

/** Parses `sjk mx -all -mg -f Count` output: a bean name line, then its value. */
export function parseCasCounts(output: string): CasCounts {
  const counts: CasCounts = { prepare: 0, propose: 0, commit: 0 };
  const lines = output.split('\n').map((l) => l.trim());
  lines.forEach((line, i) => {
    const name = line.match(/name=Cas(Prepare|Propose|Commit)Latency$/)?.[1];
    const value = Number(lines[i + 1]);
    if (name && Number.isFinite(value)) counts[name.toLowerCase() as keyof CasCounts] = value;
  });
  return counts;
}

export async function casCounts(keyspace: string): Promise<CasCounts> {
  return parseCasCounts(await nodetool(['sjk', 'mx', '-all', '-b', `org.apache.cassandra.metrics:type=Keyspace,keyspace=${keyspace},name=Cas*Latency`, '-mg', '-f', 'Count']));
}

/**
 * From `nodetool compactionstats`: compactions pending for `keyspace` (its `- ks.table: n` lines)
 * and those running on it (rows of the active table naming it).
 */
export function parseCompactions(output: string, keyspace: string): { pending: number; active: number } {
  let pending = 0;
  let active = 0;
  for (const line of output.split('\n')) {
    const task = line.trim().match(/^-\s+([^.\s]+)\.\S+:\s+(\d+)$/);
    if (task) {
      if (task[1] === keyspace) pending += Number(task[2]);
    } else if (line.split(/\s+/).includes(keyspace)) active++;
  }
  return { pending, active };
}

export async function flush(keyspace: string): Promise<void> {
  await nodetool(['flush', keyspace], 300_000);
}

export async function compactions(keyspace: string): Promise<{ pending: number; active: number }> {
  return parseCompactions(await nodetool(['compactionstats']), keyspace);
}
