// CPU and resident memory of processes, read from /proc while a run goes on: every service, the
// engines (Kafka, Cassandra, Redis, PostgreSQL: all of their processes summed), the load workers
// and the relay. CPU is the share of one core over the sampling interval (100 % = one core busy).
import { readdir, readFile, readlink } from 'node:fs/promises';
import { CASSANDRA_PORT, KAFKA_PORT, S3_PORT } from '@chat/infra';

export const TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

/** Pids whose command line matches `pattern` (only processes this user may read). */
export async function findProcesses(pattern: RegExp): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (pattern.test(cmdline.replace(/\0/g, ' '))) found.push(Number(entry));
  }
  return found.filter((pid) => pid !== process.pid);
}

/** Engines by the command line of their processes. */
export const ENGINE_PATTERNS: Readonly<Record<string, RegExp>> = {
  kafka: /java .*kafka\.Kafka\b/,
  cassandra: /java .*CassandraDaemon/,
  s3: /java .*s3proxy\.Main/,
  redis: /redis-server/,
  postgres: /^postgres(:| )|\/postgres /,
  // The broker when the system runs on BUS=rabbitmq (the Erlang VM of the rabbitmq-server service).
  rabbitmq: /beam\.smp .*rabbit/,
};

/**
 * The port each JVM engine of `npm run infra:up` listens on: other Kafkas or Cassandras on the
 * machine (a fault test's private broker) match the same command line, the one serving the run
 * is the one listening there.
 */
export const ENGINE_PORTS: Readonly<Record<string, number>> = { kafka: KAFKA_PORT, cassandra: CASSANDRA_PORT, s3: S3_PORT };

/** Socket inodes listening on `port` (any local address, IPv4 or IPv6). */
export async function listeningInodes(port: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is ADDR:PORT in hex; state 0A is LISTEN; the inode is the 10th field.
      if (fields[1]?.endsWith(`:${hexPort}`) && fields[3] === '0A' && fields[9]) inodes.add(fields[9]);
    }
  }
  return inodes;
}

/** Those of `pids` holding one of `inodes` open. */
async function holding(pids: number[], inodes: Set<string>): Promise<number[]> {
  const found: number[] = [];
  for (const pid of pids) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      const inode = link.match(/^socket:\[(\d+)\]$/)?.[1];
      if (inode && inodes.has(inode)) {
        found.push(pid);
        break;
      }
    }
  }
  return found;
}

/** The pids of an engine: by command line, and for the JVM engines only the one on its port. */
export async function enginePids(name: string): Promise<number[]> {
  const pattern = ENGINE_PATTERNS[name];
  if (!pattern) return [];
  const candidates = await findProcesses(pattern);
  const port = ENGINE_PORTS[name];
  if (port === undefined || candidates.length <= 1) return candidates;
  return holding(candidates, await listeningInodes(port));
}

export interface ProcStat {
  cpuTicks: number;
  rssBytes: number;
}

export async function stat(pid: number): Promise<ProcStat | undefined> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (!text) return undefined;
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const rssPages = Number(fields[21]);
  return { cpuTicks: utime + stime, rssBytes: rssPages * PAGE_BYTES };
}

export interface ProcessUsage {
  name: string;
  pids: number;
  /** Mean CPU over the sampled window, % of one core. */
  cpuMeanPct: number;
  cpuMaxPct: number;
  rssMeanMiB: number;
  rssMaxMiB: number;
  samples: number;
}

interface Series {
  pids: () => Promise<number[]>;
  previous: Map<number, number>;
  cpu: number[];
  rss: number[];
}

export class ProcessSampler {
  private readonly series = new Map<string, Series>();
  private timer: NodeJS.Timeout | undefined;
  private last = 0;
  private busy = false;

  constructor(private readonly intervalMs = 1_000) {}

  /** A group of processes sampled as one (its pids re-resolved at each sample). */
  track(name: string, pids: number[] | (() => Promise<number[]>)): this {
    this.series.set(name, { pids: typeof pids === 'function' ? pids : () => Promise.resolve(pids), previous: new Map(), cpu: [], rss: [] });
    return this;
  }

  trackEngines(): this {
    for (const name of Object.keys(ENGINE_PATTERNS)) this.track(name, () => enginePids(name));
    return this;
  }

  async start(): Promise<void> {
    this.last = performance.now();
    await this.sample(false);
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** Forgets what was sampled so far (the measured window starts now). */
  reset(): void {
    for (const series of this.series.values()) {
      series.cpu = [];
      series.rss = [];
    }
  }

  stop(): ProcessUsage[] {
    if (this.timer) clearInterval(this.timer);
    return [...this.series].map(([name, series]) => ({
      name,
      pids: series.previous.size,
      cpuMeanPct: round(mean(series.cpu)),
      cpuMaxPct: round(Math.max(0, ...series.cpu)),
      rssMeanMiB: round(mean(series.rss) / 2 ** 20),
      rssMaxMiB: round(Math.max(0, ...series.rss) / 2 ** 20),
      samples: series.cpu.length,
    })).filter((usage) => usage.pids > 0);
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await this.sample(true);
    } finally {
      this.busy = false;
    }
  }

  private async sample(record: boolean): Promise<void> {
    const now = performance.now();
    const seconds = (now - this.last) / 1000;
    this.last = now;
    for (const series of this.series.values()) {
      const pids = await series.pids().catch(() => []);
      let ticks = 0;
      let rss = 0;
      const current = new Map<number, number>();
      for (const pid of pids) {
        const s = await stat(pid);
        if (!s) continue;
        current.set(pid, s.cpuTicks);
        // A pid seen for the first time contributes from the next sample on.
        ticks += s.cpuTicks - (series.previous.get(pid) ?? s.cpuTicks);
        rss += s.rssBytes;
      }
      series.previous = current;
      if (record && seconds > 0 && current.size > 0) {
        series.cpu.push((ticks / TICKS_PER_SECOND / seconds) * 100);
        series.rss.push(rss);
      }
    }
  }
}

/** Resident memory of one process now, in bytes. */
export async function rssOf(pid: number): Promise<number> {
  return (await stat(pid))?.rssBytes ?? 0;
}

/** CPU seconds one process used so far. */
export async function cpuSecondsOf(pid: number): Promise<number> {
  return ((await stat(pid))?.cpuTicks ?? 0) / TICKS_PER_SECOND;
}

function mean(values: number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
