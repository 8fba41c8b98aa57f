// idle-sockets: N authenticated sockets held open on one gateway process (devices of up to
// --users accounts, each a member of one channel), then --rest seconds of nothing. Reports the
// gateway's resident memory per socket (growth over its baseline), its V8 heap per socket after a
// forced full GC (through the inspector both are started with here, see system/inspector.ts) and
// its CPU at rest. The bare relay gets the same sockets in the same invocation, for the ratios.
import { type BenchContext } from '../context';
import { LoadFleet } from '../load/fleet';
import { type SocketSpec } from '../load/protocol';
import { buildPopulation, type Population, relayPopulation, socketSpecs } from '../population';
import { type TargetRow, type ScenarioResult } from '../report/model';
import { ratio } from '../report/tables';
import { cpuSecondsOf, rssOf } from '../sampler';
import { freePort } from '@chat/testing';
import { type HeapUsage, openInspector } from '../system/inspector';
import { Relay } from '../system/relay';

interface Density {
  sockets: number;
  failed: number;
  errors: string[];
  connectSeconds: number;
  baselineMiB: number;
  loadedMiB: number;
  kibPerSocket: number;
  /** V8 heap used after a full GC, before and with the sockets (undefined: no inspector). */
  heap?: { baselineMiB: number; loadedMiB: number; kibPerSocket: number } | { error: string };
  restCpuPct: number;
}

const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function spread(population: Population, sockets: number): SocketSpec[] {
  const specs = socketSpecs(population);
  return Array.from({ length: sockets }, (_, i) => specs[i % specs.length]).filter((spec): spec is SocketSpec => spec !== undefined);
}

const mib = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;

async function measure(ctx: BenchContext, label: string, origin: string, pid: number, specs: SocketSpec[], inspectPort: number | undefined): Promise<Density> {
  const o = ctx.options;
  await settle(3_000);
  const inspector = inspectPort === undefined ? undefined : await openInspector(inspectPort).catch((error: unknown) => new Error(String(error)));
  const heapNow = async (): Promise<HeapUsage | Error | undefined> =>
    inspector instanceof Error ? inspector : inspector?.heapAfterGc().catch((error: unknown) => new Error(String(error)));
  const heapBefore = await heapNow();
  const baseline = await rssOf(pid);
  const fleet = LoadFleet.spawn(o.workers);
  try {
    const started = Date.now();
    const result = await fleet.connect([origin], specs, { addresses: o.addresses, concurrency: 25, timeoutMs: 900_000 });
    const connectSeconds = (Date.now() - started) / 1000;
    ctx.log(`${label}: ${result.connected} sockets connected in ${connectSeconds.toFixed(1)} s${result.failed ? `, ${result.failed} failed (${result.errors.join('; ')})` : ''}; resting ${o.rest} s`);
    await settle(3_000);
    const cpuBefore = await cpuSecondsOf(pid);
    const restStarted = Date.now();
    const samples: number[] = [];
    while (Date.now() - restStarted < o.rest * 1000) {
      samples.push(await rssOf(pid));
      await settle(1_000);
    }
    const cpu = ((await cpuSecondsOf(pid)) - cpuBefore) / ((Date.now() - restStarted) / 1000);
    const loaded = samples.reduce((a, b) => a + b, 0) / Math.max(samples.length, 1);
    const heapAfter = await heapNow();
    let heap: Density['heap'];
    if (heapBefore instanceof Error || heapAfter instanceof Error) heap = { error: (heapBefore instanceof Error ? heapBefore : (heapAfter as Error)).message.slice(0, 200) };
    else if (heapBefore && heapAfter) {
      heap = {
        baselineMiB: mib(heapBefore.usedBytes),
        loadedMiB: mib(heapAfter.usedBytes),
        kibPerSocket: result.connected ? Math.round(((heapAfter.usedBytes - heapBefore.usedBytes) / 1024 / result.connected) * 100) / 100 : 0,
      };
    }
    const density: Density = {
      sockets: result.connected,
      failed: result.failed,
      errors: result.errors,
      connectSeconds: Math.round(connectSeconds * 10) / 10,
      baselineMiB: Math.round((baseline / 2 ** 20) * 10) / 10,
      loadedMiB: Math.round((loaded / 2 ** 20) * 10) / 10,
      kibPerSocket: result.connected ? Math.round(((loaded - baseline) / 1024 / result.connected) * 100) / 100 : 0,
      ...(heap ? { heap } : {}),
      restCpuPct: Math.round(cpu * 1000) / 10,
    };
    ctx.log(`${label}: RSS ${density.baselineMiB} → ${density.loadedMiB} MiB = ${density.kibPerSocket} KiB/socket; heap after GC ${heapText(density)}; CPU at rest ${density.restCpuPct} % of a core`);
    return density;
  } finally {
    if (inspector && !(inspector instanceof Error)) inspector.close();
    await fleet.close();
  }
}

function heapText(d: Density): string {
  if (!d.heap) return 'not measured (no inspector: a --target system)';
  if ('error' in d.heap) return `not measured: ${d.heap.error}`;
  return `${d.heap.baselineMiB} → ${d.heap.loadedMiB} MiB = ${d.heap.kibPerSocket} KiB/socket`;
}

const heapPerSocket = (d: Density | undefined): number | undefined => (d?.heap && 'kibPerSocket' in d.heap ? d.heap.kibPerSocket : undefined);

export async function runIdleSockets(ctx: BenchContext): Promise<ScenarioResult> {
  const o = ctx.options;
  const users = Math.min(o.users, 200, o.sockets);
  const workspaceSize = Math.min(o.workspaceSize, users);
  const shape = { users, workspaceSize, channels: Math.max(Math.ceil(users / workspaceSize), Math.min(o.channels, Math.ceil(users / 10))), perUser: 1 };
  let relay: Density | undefined;
  if (o.relay) {
    const inspectPort = await freePort();
    const server = await Relay.start({ inspectPort });
    try {
      relay = await measure(ctx, 'relay', server.origin, server.pid ?? 0, spread(relayPopulation(shape), o.sockets), inspectPort);
    } finally {
      await server.stop();
    }
  }
  const system = await ctx.systemUnderTest();
  const gateway = (await system.servicePids()).get('gateway');
  if (gateway === undefined) throw new Error('no gateway process found (with --target, the gateway must run from this checkout: apps/gateway/src/main.ts)');
  const population = await buildPopulation(system.origin, shape, (line) => ctx.log(line));
  const ours = await measure(ctx, 'gateway', system.origin, gateway, spread(population, o.sockets), system.gatewayInspectPort);
  const ourHeap = heapPerSocket(ours);
  const relayHeap = heapPerSocket(relay);

  const targets: TargetRow[] = [
    {
      target: 'idle sockets on one gateway process',
      goal: '≥ 20,000',
      measured: `${ours.sockets} connected, ${ours.failed} failed`,
      ...(relay ? { relay: `${relay.sockets}` } : {}),
      met: ours.sockets >= 20_000 && ours.failed === 0,
    },
    {
      target: 'memory per idle socket',
      goal: '≤ 10 KiB',
      measured: `${ours.kibPerSocket} KiB (RSS ${ours.baselineMiB} → ${ours.loadedMiB} MiB)`,
      ...(relay ? { relay: `${relay.kibPerSocket} KiB`, ratio: ratio(ours.kibPerSocket, relay.kibPerSocket) } : {}),
      met: ours.kibPerSocket <= 10,
    },
    {
      target: 'heap per idle socket (after a forced GC)',
      goal: '≤ 1.2 × the bare relay’s',
      measured: heapText(ours),
      ...(relay ? { relay: heapText(relay) } : {}),
      ...(ourHeap !== undefined && relayHeap !== undefined ? { ratio: ratio(ourHeap, relayHeap), met: relayHeap > 0 && ourHeap <= 1.2 * relayHeap } : {}),
    },
    {
      target: 'gateway CPU at rest',
      goal: '(reported)',
      measured: `${ours.restCpuPct} % of a core`,
      ...(relay ? { relay: `${relay.restCpuPct} %` } : {}),
    },
  ];
  const heapCells = (d: Density): (string | number)[] => (d.heap && 'kibPerSocket' in d.heap ? [d.heap.baselineMiB, d.heap.loadedMiB, d.heap.kibPerSocket] : ['', '', d.heap ? d.heap.error : 'n/a']);
  const row = (label: string, d: Density): (string | number)[] => [label, d.sockets, d.failed, d.connectSeconds, d.baselineMiB, d.loadedMiB, d.kibPerSocket, ...heapCells(d), d.restCpuPct];
  return {
    targets,
    tables: [{ title: 'Idle sockets', header: ['process', 'sockets', 'failed', 'connect s', 'RSS before MiB', 'RSS idle MiB', 'RSS KiB/socket', 'heap after GC before MiB', 'heap after GC idle MiB', 'heap KiB/socket', 'CPU at rest %'], rows: [...(relay ? [row('bare relay', relay)] : []), row('gateway', ours)] }],
    phases: {},
    processes: {},
    details: { gateway: ours, ...(relay ? { relay } : {}) },
    summary: [`idle-sockets: ${ours.sockets} sockets, RSS ${ours.kibPerSocket} KiB/socket, heap ${ourHeap ?? 'n/a'} KiB/socket, CPU at rest ${ours.restCpuPct} %${relay ? `; relay RSS ${relay.kibPerSocket} KiB/socket, heap ${relayHeap ?? 'n/a'} KiB/socket${ourHeap !== undefined && relayHeap !== undefined ? ` (ratio ${ratio(ourHeap, relayHeap)})` : ''}` : ''}`],
  };
}
