// Reads the V8 CPU profiles (`--cpu-prof`) the services wrote on exit and lists where their time
// went: self time by function, and by package / source area. A profile covers the whole life of
// the process (start-up, registering the population, connecting); given the measuring windows it
// counts only the samples taken inside them, so the tables show the send path under load. V8
// stamps samples on CLOCK_MONOTONIC in µs, the clock of `process.hrtime` in the bench's process.
// Sampling is by wall clock: time the process was runnable but not scheduled counts as the
// function it was in, so on a saturated machine "(idle)" is the share of the window the event
// loop really waited for work.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Table } from './model';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  /** µs from the previous sample (the first: from startTime). */
  timeDeltas?: number[];
}

/** An interval of CLOCK_MONOTONIC in µs (a bench measuring window): what V8 stamps samples with. */
export interface MonotonicWindow {
  fromUs: number;
  toUs: number;
}

/**
 * Samples per node id, and the ms they span: with `windows` (and per-sample times) only the samples
 * taken inside one of them (a sample lasts until the next one), else every sample; `windowed` says
 * which.
 */
export function sampleCounts(profile: CpuProfile, windows: readonly MonotonicWindow[] = []): { hits: Map<number, number>; ms: number; windowed: boolean } {
  const hits = new Map<number, number>();
  if (windows.length === 0 || !profile.timeDeltas) {
    for (const node of profile.nodes) if (node.hitCount) hits.set(node.id, node.hitCount);
    return { hits, ms: (profile.endTime - profile.startTime) / 1000, windowed: false };
  }
  let at = profile.startTime;
  let us = 0;
  const deltas = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    at += deltas[i] ?? 0;
    if (!windows.some((w) => at >= w.fromUs && at < w.toUs)) continue;
    const id = profile.samples[i] ?? 0;
    hits.set(id, (hits.get(id) ?? 0) + 1);
    us += deltas[i + 1] ?? 0;
  }
  return { hits, ms: us / 1000, windowed: true };
}

function area(url: string): string {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? url);
  }
  const src = url.match(/(apps|libs)\/([^/]+)\/src\/(.*)$/);
  if (src) return `${src[1]}/${src[2]}/${(src[3] ?? '').split('/')[0] ?? ''}`;
  if (url.startsWith('node:')) return url;
  return url === '' ? '(native / gc / idle)' : url.split('/').slice(-1)[0] ?? url;
}

export async function summarizeProfiles(dir: string, windows: readonly MonotonicWindow[] = [], top = 25): Promise<Table[]> {
  const tables: Table[] = [];
  const services = await readdir(dir).catch(() => [] as string[]);
  for (const service of services) {
    const files = (await readdir(join(dir, service)).catch(() => [] as string[])).filter((f) => f.endsWith('.cpuprofile'));
    for (const file of files) {
      const profile = JSON.parse(await readFile(join(dir, service, file), 'utf8')) as CpuProfile;
      const { hits, ms: wallMs, windowed } = sampleCounts(profile, windows);
      const total = [...hits.values()].reduce((a, b) => a + b, 0) || 1;
      const byFunction = new Map<string, number>();
      const byArea = new Map<string, number>();
      for (const node of profile.nodes) {
        const count = hits.get(node.id) ?? 0;
        if (!count) continue;
        const name = node.callFrame.functionName || '(anonymous)';
        const where = node.callFrame.url ? `${area(node.callFrame.url)}:${node.callFrame.lineNumber + 1}` : '';
        const key = `${name} ${where}`.trim();
        byFunction.set(key, (byFunction.get(key) ?? 0) + count);
        const a = ['(idle)', '(program)', '(garbage collector)'].includes(name) ? name : area(node.callFrame.url);
        byArea.set(a, (byArea.get(a) ?? 0) + count);
      }
      const pct = (n: number): string => `${((n / total) * 100).toFixed(1)} %`;
      const ms = (n: number): number => Math.round((n / total) * wallMs);
      const span = windowed ? `${Math.round(wallMs / 1000)} s inside the measuring windows` : `${Math.round(wallMs / 1000)} s profiled (the whole run)`;
      tables.push({
        title: `CPU profile of ${service} (${file}): self time by area, ${span}`,
        header: ['area', 'self', 'ms'],
        rows: [...byArea].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, n]) => [k, pct(n), ms(n)]),
      });
      tables.push({
        title: `CPU profile of ${service}: top functions by self time`,
        header: ['function', 'self', 'ms'],
        rows: [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, n]) => [k, pct(n), ms(n)]),
      });
    }
  }
  return tables;
}
