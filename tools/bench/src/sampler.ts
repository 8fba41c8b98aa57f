// CPU and resident memory of processes, read from /proc while a run goes on: every service, the
// engines (Kafka, Cassandra, Redis, PostgreSQL: all of their processes summed), the load workers
// and the relay. CPU is the share of one core over the sampling interval (100 % = one core busy).
import { readdir, readFile } from 'node:fs/promises';

const TICKS_PER_SECOND = 100;
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
  redis: /redis-server/,
  postgres: /^postgres(:| )|\/postgres /,
};

interface ProcStat {
  cpuTicks: number;
  rssBytes: number;
}

async function stat(pid: number): Promise<ProcStat | undefined> {
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
    for (const [name, pattern] of Object.entries(ENGINE_PATTERNS)) this.track(name, () => findProcesses(pattern));
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
