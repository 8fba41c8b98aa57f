// CPU spent per send over a measuring window: utime + stime of each process read from
// /proc/<pid>/stat when the window opens and when it closes (its last delivery arrived), the
// difference divided by the sends acknowledged in the window. Processes are grouped by name
// (a service, each messaging instance, an engine with all its processes); the total adds the
// services and engines, never the load generator.
import { stat, TICKS_PER_SECOND } from './sampler';

/** Process groups to measure: name → pids. */
export type ProcessGroups = ReadonlyMap<string, readonly number[]>;

/** CPU ticks of each pid of each group at one instant. */
export interface CpuSnapshot {
  at: number;
  ticks: Map<string, Map<number, number>>;
}

export interface CpuRow {
  name: string;
  /** CPU milliseconds the group used in the window. */
  cpuMs: number;
  /** µs of CPU per acknowledged send. */
  usPerSend: number;
  /** Mean share of one core over the window, %. */
  corePct: number;
}

export interface CpuPerSend {
  windowS: number;
  sends: number;
  rows: CpuRow[];
  /** Per service run as several instances (`gateway-1`, `gateway-2`…): their sum, `gateway (2 instances)`; not in the total again. */
  services: CpuRow[];
  /** Sum over the rows that are part of the system (services and engines). */
  total: CpuRow;
}

export async function snapshotCpu(groups: ProcessGroups, now = Date.now()): Promise<CpuSnapshot> {
  const ticks = new Map<string, Map<number, number>>();
  for (const [name, pids] of groups) {
    const byPid = new Map<number, number>();
    for (const pid of pids) {
      const s = await stat(pid);
      if (s) byPid.set(pid, s.cpuTicks);
    }
    ticks.set(name, byPid);
  }
  return { at: now, ticks };
}

/**
 * Per-group CPU between two snapshots of the same groups. A pid only counts when it was there at
 * both ends (one that exited or appeared in between is left out rather than guessed).
 * `excluded` names groups reported but left out of the total (the load workers).
 */
export function cpuPerSend(before: CpuSnapshot, after: CpuSnapshot, sends: number, excluded: ReadonlySet<string> = new Set(), ticksPerSecond = TICKS_PER_SECOND): CpuPerSend {
  const windowS = Math.max(0, (after.at - before.at) / 1000);
  const row = (name: string, cpuMs: number): CpuRow => ({
    name,
    cpuMs: Math.round(cpuMs),
    usPerSend: sends > 0 ? Math.round((cpuMs * 1000) / sends) : 0,
    corePct: windowS > 0 ? Math.round((cpuMs / 10 / windowS) * 10) / 10 : 0,
  });
  const rows: CpuRow[] = [];
  const rawMs = new Map<string, number>();
  let totalMs = 0;
  for (const [name, end] of after.ticks) {
    const start = before.ticks.get(name);
    if (!start || start.size === 0) continue;
    let ticks = 0;
    for (const [pid, t] of end) {
      const t0 = start.get(pid);
      if (t0 !== undefined) ticks += Math.max(0, t - t0);
    }
    const cpuMs = (ticks / ticksPerSecond) * 1000;
    rawMs.set(name, cpuMs);
    rows.push(row(name, cpuMs));
    if (!excluded.has(name)) totalMs += cpuMs;
  }
  const instances = new Map<string, number[]>();
  for (const [name, cpuMs] of rawMs) {
    const service = name.match(/^(.+)-\d+$/)?.[1];
    if (service) instances.set(service, [...(instances.get(service) ?? []), cpuMs]);
  }
  const services = [...instances].filter(([, list]) => list.length > 1).map(([service, list]) => row(`${service} (${list.length} instances)`, list.reduce((a, b) => a + b, 0)));
  return { windowS: Math.round(windowS * 10) / 10, sends, rows, services, total: row('total (services and engines)', totalMs) };
}
