// Reads the V8 CPU profiles (`--cpu-prof`) the services wrote on exit and lists where their time
// went: self time by function, and by package / source area.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Table } from './model';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
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

export async function summarizeProfiles(dir: string, top = 25): Promise<Table[]> {
  const tables: Table[] = [];
  const services = await readdir(dir).catch(() => [] as string[]);
  for (const service of services) {
    const files = (await readdir(join(dir, service)).catch(() => [] as string[])).filter((f) => f.endsWith('.cpuprofile'));
    for (const file of files) {
      const profile = JSON.parse(await readFile(join(dir, service, file), 'utf8')) as CpuProfile;
      const total = profile.samples.length || 1;
      const wallMs = (profile.endTime - profile.startTime) / 1000;
      const byFunction = new Map<string, number>();
      const byArea = new Map<string, number>();
      for (const node of profile.nodes) {
        const hits = node.hitCount ?? 0;
        if (!hits) continue;
        const name = node.callFrame.functionName || '(anonymous)';
        const where = node.callFrame.url ? `${area(node.callFrame.url)}:${node.callFrame.lineNumber + 1}` : '';
        const key = `${name} ${where}`.trim();
        byFunction.set(key, (byFunction.get(key) ?? 0) + hits);
        const a = ['(idle)', '(program)', '(garbage collector)'].includes(name) ? name : area(node.callFrame.url);
        byArea.set(a, (byArea.get(a) ?? 0) + hits);
      }
      const pct = (n: number): string => `${((n / total) * 100).toFixed(1)} %`;
      const ms = (n: number): number => Math.round((n / total) * wallMs);
      tables.push({
        title: `CPU profile of ${service} (${file}): self time by area, ${Math.round(wallMs / 1000)} s profiled`,
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
