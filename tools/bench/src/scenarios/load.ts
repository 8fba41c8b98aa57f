// fanout and ramp: U users in C channels (k per user) sending at a fixed total rate, first
// against the bare relay, then against the system, in the same invocation.
//   fanout: one warm-up phase, then one measured phase at --rate for --duration seconds.
//   ramp:   steps from --rate by --step up to --max-rate, --duration seconds each, until delivery
//           p99 passes --p99-limit ms or anything goes wrong (errors, lost, duplicated, reordered,
//           fewer deliveries than offered).
import { type BenchContext, monotonicUs } from '../context';
import { LoadFleet, type PhaseOutcome } from '../load/fleet';
import { buildPopulation, type Population, relayPopulation, socketSpecs } from '../population';
import { type HopBuckets, type HopSummary, hopSummaries, mergeHops, scrapeHops } from '../hops';
import { cpuPerSend, type CpuSnapshot, snapshotCpu } from '../cpu';
import { formatMs } from '../latency';
import { rampRates } from '../options';
import { ENGINE_PATTERNS, enginePids, type ProcessUsage } from '../sampler';
import { casCounts } from '../system/nodetool';
import { Relay } from '../system/relay';
import { type ChartSeries, type ScenarioResult, type TargetRow } from '../report/model';
import { cpuTable, isClean, phaseTable, processTable, ratio } from '../report/tables';

/** A hop's percentiles at one gateway, or over all of them (`all`). */
type GatewayHop = HopSummary & { gateway: string };

interface Against {
  phases: PhaseOutcome[];
  /** Per-hop breakdown of each phase (the system only): over all gateways, then each gateway when there are several. */
  hops: Record<string, GatewayHop[]>;
  processes: ProcessUsage[];
  /** Highest step that passed (ramp). */
  sustainable?: PhaseOutcome;
  /** Seconds to connect every socket, then until no `presence` event came for QUIET_MS. */
  connectS: number;
  quietS: number;
  presenceEvents: number;
}

/** Presence is quiet once no load socket got a `presence` event for this long… */
const QUIET_MS = 2_000;
/** …waited for at most this long. */
const QUIET_BOUND_MS = 120_000;

/** Groups not part of what is measured (the total of CPU per send leaves them out). */
const LOAD_GENERATOR = 'load workers';

function passes(o: PhaseOutcome, p99Limit: number): boolean {
  const errors = Object.values(o.errors).reduce((a, b) => a + b, 0) + o.unanswered + o.disconnects;
  return errors === 0 && isClean(o) && o.delivery.p99 <= p99Limit && o.received >= o.expectedDeliveries && o.acked >= 0.99 * o.sent;
}

/** Waits until the load sockets saw no `presence` event for QUIET_MS (bounded). */
async function presenceQuiet(fleet: LoadFleet): Promise<{ seconds: number; events: number; quiet: boolean }> {
  const started = Date.now();
  for (;;) {
    const { events, lastAt } = await fleet.presence();
    const since = Date.now() - Math.max(lastAt, started);
    if (since >= QUIET_MS) return { seconds: (Date.now() - started) / 1000, events, quiet: true };
    if (Date.now() - started > QUIET_BOUND_MS) return { seconds: (Date.now() - started) / 1000, events, quiet: false };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** What CPU per send is measured over: the system's services and engines (or the relay), and the load workers. */
async function processGroups(ctx: BenchContext, label: string, extraPids: Record<string, number[]>, fleet: LoadFleet): Promise<Map<string, number[]>> {
  const groups = new Map<string, number[]>();
  if (label === 'system') {
    const system = await ctx.systemUnderTest();
    for (const [name, pid] of await system.servicePids()) groups.set(name, [pid]);
    for (const engine of Object.keys(ENGINE_PATTERNS)) {
      const pids = await enginePids(engine);
      if (pids.length > 0) groups.set(engine, pids);
    }
  }
  for (const [name, pids] of Object.entries(extraPids)) groups.set(name, pids);
  groups.set(LOAD_GENERATOR, fleet.pids);
  return groups;
}

/** Each gateway's hop histograms, by instance name. */
async function scrapeAll(origins: ReadonlyMap<string, string>): Promise<Map<string, HopBuckets>> {
  return new Map(await Promise.all([...origins].map(async ([name, origin]) => [name, await scrapeHops(origin)] as const)));
}

/** The phase's hops over all gateways (`all`), then at each gateway when there are several. */
function gatewayHops(before: Map<string, HopBuckets>, after: Map<string, HopBuckets>): GatewayHop[] {
  const all = hopSummaries(mergeHops([...before.values()]), mergeHops([...after.values()])).map((h) => ({ ...h, gateway: 'all' }));
  if (after.size < 2) return all;
  return [...all, ...[...after].flatMap(([name, buckets]) => hopSummaries(before.get(name) ?? new Map<string, Map<number, number>>(), buckets).map((h) => ({ ...h, gateway: name })))];
}

async function drive(ctx: BenchContext, label: string, origins: readonly string[], population: Population, extraPids: Record<string, number[]>, system?: { keyspace: string; metricsOrigins: ReadonlyMap<string, string> }): Promise<Against> {
  const keyspace = system?.keyspace;
  const metricsOrigins = system && system.metricsOrigins.size > 0 ? system.metricsOrigins : undefined;
  const o = ctx.options;
  const fleet = LoadFleet.spawn(o.workers);
  try {
    const started = Date.now();
    const connected = await fleet.connect(origins, socketSpecs(population), { addresses: o.addresses });
    const connectS = (Date.now() - started) / 1000;
    ctx.log(`${label}: ${connected.connected} sockets${origins.length > 1 ? ` (over ${origins.length} gateways)` : ''} connected in ${connectS.toFixed(1)} s${connected.failed ? `, ${connected.failed} failed (${connected.errors.join('; ')})` : ''}`);
    if (connected.failed > 0) throw new Error(`${label}: ${connected.failed} sockets could not connect: ${connected.errors.join('; ')}`);
    const quiet = await presenceQuiet(fleet);
    ctx.log(`${label}: presence ${quiet.quiet ? 'quiet' : `still not quiet (gave up after ${QUIET_BOUND_MS / 1000} s)`} after ${quiet.seconds.toFixed(1)} s, ${quiet.events} presence events seen`);
    const sampler = await ctx.sampler({ ...extraPids, [LOAD_GENERATOR]: fleet.pids });
    await sampler.start();
    if (o.warmup > 0) {
      // At the first rate (at most 200/s), and long enough for each worker to send once in every
      // channel first (coverChannels): no channel is cold inside a measuring window.
      const warmRate = Math.min(o.rate, 200);
      const warmS = Math.max(o.warmup, Math.ceil((o.workers * o.channels) / warmRate));
      const warm = await fleet.phase(`${label}-warmup`, warmRate, warmS, { textBytes: o.textBytes, coverChannels: true });
      ctx.log(`${label}: warm-up ${warm.acked}/${warm.sent} acked (not counted)`);
    }
    sampler.reset();
    const groups = await processGroups(ctx, label, extraPids, fleet);
    const phases: PhaseOutcome[] = [];
    const hops: Record<string, GatewayHop[]> = {};
    const phase = async (name: string, rate: number): Promise<PhaseOutcome> => {
      const before = metricsOrigins ? await scrapeAll(metricsOrigins) : undefined;
      // nodetool runs outside the CPU window (its JVM would otherwise be counted against Cassandra's neighbours).
      const casBefore = keyspace ? await casCounts(keyspace).catch((error: unknown) => new Error(String(error))) : undefined;
      let cpuStart: CpuSnapshot | undefined;
      let cpuEnd: CpuSnapshot | undefined;
      let fromUs = 0;
      const outcome = await fleet.phase(name, rate, o.duration, {
        textBytes: o.textBytes,
        window: {
          opened: async () => {
            fromUs = monotonicUs();
            cpuStart = await snapshotCpu(groups);
          },
          closed: async () => {
            cpuEnd = await snapshotCpu(groups);
            // The services' CPU profiles are summarised over these windows only (--profile).
            if (system) ctx.profileWindows.push({ fromUs, toUs: monotonicUs() });
          },
        },
      });
      if (cpuStart && cpuEnd) outcome.cpu = cpuPerSend(cpuStart, cpuEnd, outcome.acked, new Set([LOAD_GENERATOR]));
      if (casBefore !== undefined) {
        const casAfter = await casCounts(keyspace ?? '').catch((error: unknown) => new Error(String(error)));
        if (casBefore instanceof Error || casAfter instanceof Error) outcome.cas = { error: (casBefore instanceof Error ? casBefore : (casAfter as Error)).message.slice(0, 300) };
        else {
          const prepare = casAfter.prepare - casBefore.prepare;
          outcome.cas = { prepare, propose: casAfter.propose - casBefore.propose, commit: casAfter.commit - casBefore.commit, perSend: outcome.acked > 0 ? Math.round((prepare / outcome.acked) * 1000) / 1000 : 0 };
        }
      }
      if (before && metricsOrigins) {
        const list = (hops[name] = gatewayHops(before, await scrapeAll(metricsOrigins)));
        const all = list.filter((h) => h.gateway === 'all');
        ctx.log(`${name} per hop (p50/p99 ms${list.length > all.length ? ', all gateways' : ''}): ${all.map((h) => `${h.hop} ${h.p50}/${h.p99}`).join(', ') || 'no trace headers'}`);
      }
      if (outcome.cpu) ctx.log(`${name} CPU per send (µs): ${[...outcome.cpu.rows, ...outcome.cpu.services].map((r) => `${r.name} ${r.usPerSend}`).join(', ')}; total ${outcome.cpu.total.usPerSend}${outcome.cas ? `; CAS/send ${'perSend' in outcome.cas ? outcome.cas.perSend : outcome.cas.error}` : ''}`);
      return outcome;
    };
    let sustainable: PhaseOutcome | undefined;
    if (o.scenario === 'fanout') {
      phases.push(await phase(`${label}-fanout`, o.rate));
    } else {
      for (const rate of rampRates(o)) {
        const outcome = await phase(`${label}-r${rate}`, rate);
        phases.push(outcome);
        const ok = passes(outcome, o.p99Limit);
        ctx.log(`${label}: ${rate} sends/s → ${outcome.deliveriesPerS} deliveries/s, p99 ${formatMs(outcome.delivery.p99)} ms${ok ? '' : ' (not sustainable: stop)'}`);
        if (!ok) break;
        sustainable = outcome;
      }
    }
    for (const phase of phases) {
      ctx.log(`${label}: ${phase.phase}: ${phase.acked}/${phase.sent} acked, ${phase.deliveriesPerS} deliveries/s, delivery p50/p99/p99.9 ${formatMs(phase.delivery.p50)}/${formatMs(phase.delivery.p99)}/${formatMs(phase.delivery.p999)} ms, undelivered ${phase.undelivered}, lost ${phase.lost}, dup ${phase.duplicates}, reordered ${phase.reordered}`);
    }
    return { phases, hops, processes: sampler.stop(), connectS: Math.round(connectS * 10) / 10, quietS: Math.round(quiet.seconds * 10) / 10, presenceEvents: quiet.events, ...(sustainable ? { sustainable } : {}) };
  } finally {
    await fleet.close();
  }
}

export async function runLoad(ctx: BenchContext): Promise<ScenarioResult> {
  const o = ctx.options;
  const shape = { users: o.users, channels: o.channels, perUser: o.perUser, workspaceSize: o.workspaceSize };
  let relay: Against | undefined;
  if (o.relay) {
    const server = await Relay.start();
    try {
      ctx.log(`bare relay at ${server.origin}`);
      relay = await drive(ctx, 'relay', [server.origin], relayPopulation(shape), { relay: server.pid ? [server.pid] : [] });
    } finally {
      await server.stop();
    }
  }
  const system = await ctx.systemUnderTest();
  ctx.log(`building ${o.users} users in workspaces of ${o.workspaceSize}, ${o.channels} channels, ${o.perUser} per user (~${Math.round((o.users * o.perUser) / o.channels)} members each)…`);
  const population = await buildPopulation(system.origin, shape, (line) => ctx.log(line));
  const ours = await drive(ctx, 'system', system.origins, population, {}, system);
  return summarizeLoad(ctx, ours, relay);
}

function summarizeLoad(ctx: BenchContext, ours: Against, relay: Against | undefined): ScenarioResult {
  const o = ctx.options;
  const targets: TargetRow[] = [];
  const summary: string[] = [];
  const main = o.scenario === 'fanout' ? ours.phases[0] : ours.sustainable;
  const relayMain = relay ? (o.scenario === 'fanout' ? relay.phases[0] : relay.sustainable) : undefined;
  const clean = [...ours.phases, ...(relay?.phases ?? [])].every(isClean);
  if (o.scenario === 'fanout' && main) {
    targets.push({
      target: 'fanout delivery p99',
      goal: '≤ 50 ms at 2,000 users, 200 channels × ~10, 1,000 sends/s',
      measured: `${formatMs(main.delivery.p99)} ms at ${o.users} users, ${o.channels} channels, ${o.rate} sends/s (${main.deliveriesPerS} deliveries/s in the window)${main.undelivered ? `, ${main.undelivered} deliveries never came (∞)` : ''}`,
      ...(relayMain ? { relay: `${formatMs(relayMain.delivery.p99)} ms`, ratio: ratio(main.delivery.p99, relayMain.delivery.p99) } : {}),
      met: main.delivery.p99 <= 50 && o.users >= 2000 && o.rate >= 1000 && main.acked === main.sent && main.received >= main.expectedDeliveries,
    });
    targets.push({
      target: 'lost / duplicated / reordered',
      goal: '0 / 0 / 0',
      // Lost is counted over acknowledged sends: with some unacknowledged the goal is not shown met.
      measured: `${main.lost} / ${main.duplicates} / ${main.reordered}${main.acked < main.sent ? ` (over the ${main.acked} of ${main.sent} sends acknowledged; ${main.sent - main.acked} never acknowledged)` : ''}`,
      met: isClean(main) && main.acked === main.sent,
    });
    summary.push(`fanout ${o.rate} sends/s: delivery p50 ${formatMs(main.delivery.p50)} ms, p99 ${formatMs(main.delivery.p99)} ms, ${main.deliveriesPerS} deliveries/s, unacknowledged ${main.sent - main.acked}, undelivered ${main.undelivered}, lost ${main.lost}, dup ${main.duplicates}, reordered ${main.reordered}${relayMain ? `; relay p99 ${formatMs(relayMain.delivery.p99)} ms, ${relayMain.deliveriesPerS} deliveries/s` : ''}`);
  }
  if (o.scenario === 'ramp') {
    // The lowest step: latency at a trivial load, where the transport alone sets the pace.
    const low = ours.phases[0];
    const relayLow = relay?.phases[0];
    if (low) {
      targets.push({
        target: `ramp: delivery p99 at the lowest step (${low.offeredRate} sends/s)`,
        goal: '≤ 3 × the bare relay’s',
        measured: `${formatMs(low.delivery.p99)} ms`,
        ...(relayLow ? { relay: `${formatMs(relayLow.delivery.p99)} ms`, ratio: ratio(low.delivery.p99, relayLow.delivery.p99), met: low.delivery.p99 <= 3 * relayLow.delivery.p99 } : {}),
      });
    }
    const ourRate = ours.sustainable?.deliveriesPerS ?? 0;
    const relayRate = relay?.sustainable?.deliveriesPerS ?? 0;
    const capped = relay && relay.sustainable && relay.sustainable === relay.phases[relay.phases.length - 1] && relay.sustainable.offeredRate + o.step > o.maxRate;
    const ourSends = ours.sustainable?.offeredRate ?? 0;
    const relaySends = relay?.sustainable?.offeredRate ?? 0;
    targets.push({
      target: `ramp: highest sends/s with delivery p99 ≤ ${o.p99Limit} ms`,
      goal: '≥ 0.5 × the bare relay’s',
      measured: `${ourSends} sends/s (${ourRate} deliveries/s)`,
      ...(relay ? { relay: `${relaySends} sends/s (${relayRate} deliveries/s)${capped ? ' (capped by --max-rate)' : ''}`, ratio: ratio(ourSends, relaySends) } : {}),
      ...(relay ? { met: relaySends > 0 && ourSends >= 0.5 * relaySends } : {}),
    });
    summary.push(`ramp: highest sends/s with p99 ≤ ${o.p99Limit} ms: ${ourSends} (${ourRate} deliveries/s in the window)${relay ? `; relay ${relaySends} (${relayRate} deliveries/s); ratio ${ratio(ourSends, relaySends)}` : ''}`);
    if (low) summary.push(`ramp: at the lowest step (${low.offeredRate} sends/s) delivery p99 ${formatMs(low.delivery.p99)} ms${relayLow ? `, relay ${formatMs(relayLow.delivery.p99)} ms, ratio ${ratio(low.delivery.p99, relayLow.delivery.p99)}` : ''}`);
  }
  // CPU and CAS of the phase the targets are about: fanout's, or the ramp's highest passing step (else its first).
  const costed = main ?? ours.phases[0];
  const relayCosted = relayMain ?? relay?.phases[0];
  if (costed?.cpu) {
    const us = costed.cpu.total.usPerSend;
    targets.push({
      target: 'CPU per send, all services and engines (load generator excluded)',
      goal: '≤ 1.0 ms',
      measured: `${(us / 1000).toFixed(3)} ms at ${costed.offeredRate} sends/s (${costed.cpu.rows.filter((r) => r.name !== LOAD_GENERATOR).map((r) => `${r.name} ${r.usPerSend} µs`).join(', ')})`,
      ...(relayCosted?.cpu ? { relay: `${(relayCosted.cpu.total.usPerSend / 1000).toFixed(3)} ms`, ratio: ratio(us, relayCosted.cpu.total.usPerSend) } : {}),
      met: costed.acked > 0 && us <= 1000,
    });
  }
  if (costed?.cas) {
    targets.push({
      target: 'Cassandra CAS operations per send',
      goal: '≤ 0.01',
      measured: 'perSend' in costed.cas ? `${costed.cas.perSend} (${costed.cas.prepare} Paxos prepares for ${costed.acked} sends)` : `not measured: ${costed.cas.error}`,
      ...('perSend' in costed.cas ? { met: costed.acked > 0 && costed.cas.perSend <= 0.01 } : {}),
    });
  }
  summary.push(`connect: ${ours.connectS} s, presence quiet after ${ours.quietS} s more (${ours.presenceEvents} presence events)${relay ? `; relay connect ${relay.connectS} s` : ''}`);
  if (costed?.cpu) summary.push(`CPU per send: ${costed.cpu.total.usPerSend} µs in all${relayCosted?.cpu ? `; relay ${relayCosted.cpu.total.usPerSend} µs` : ''}${costed.cas && 'perSend' in costed.cas ? `; CAS per send ${costed.cas.perSend}` : ''}`);
  summary.push(`lost/duplicated/reordered: ${clean ? 'all zero' : 'NOT ZERO'}`);

  const rows = [...(relay?.phases ?? []).map((outcome) => ({ against: 'relay', outcome })), ...ours.phases.map((outcome) => ({ against: 'system', outcome }))];
  const series: ChartSeries[] = [];
  const percentile = (name: string, pick: (p: PhaseOutcome) => number): void => {
    series.push({ name: `system ${name}`, points: ours.phases.map((p) => ({ x: p.offeredRate, y: pick(p) })) });
    if (relay) series.push({ name: `relay ${name}`, points: relay.phases.map((p) => ({ x: p.offeredRate, y: pick(p) })), dashed: true });
  };
  percentile('p50', (p) => p.delivery.p50);
  percentile('p99', (p) => p.delivery.p99);
  percentile('p99.9', (p) => p.delivery.p999);
  return {
    targets,
    tables: [
      phaseTable('Load phases (latencies in ms; delivery = send → message:new at every member socket)', rows),
      {
        title: 'Per hop, server side (ms; over all gateways, then at each when there are several; gateway produced the command → messaging started it → stored in Cassandra → event consumed by the gateway, each Kafka hop split at the record\'s Kafka timestamp into the producer\'s queue and Kafka plus the consumer\'s lag; from trace headers, interpolated in histogram buckets)',
        header: ['phase', 'gateway', 'hop', 'messages', 'p50', 'p90', 'p99'],
        rows: Object.entries(ours.hops).flatMap(([phase, list]) => list.map((h) => [phase, h.gateway, h.hop, h.count, h.p50, h.p90, h.p99])),
      },
      {
        title: 'Connecting (the population in workspaces of --workspace-size users) and waiting for presence to go quiet (no `presence` event at any load socket for 2 s)',
        header: ['against', 'sockets', 'connect s', 'presence quiet after s', 'presence events'],
        rows: [...(relay ? [['relay', o.users, relay.connectS, relay.quietS, relay.presenceEvents]] : []), ['system', o.users, ours.connectS, ours.quietS, ours.presenceEvents]],
      },
      cpuTable(rows),
      {
        title: 'Cassandra CAS (Paxos) rounds in the run\'s keyspace per phase (nodetool: Keyspace CasPrepare/CasPropose/CasCommit counts); per send = prepares / acknowledged sends',
        header: ['phase', 'acked', 'prepare', 'propose', 'commit', 'CAS per send'],
        rows: ours.phases.map((p) => [p.phase, p.acked, ...(p.cas === undefined ? ['', '', '', 'not measured'] : 'perSend' in p.cas ? [p.cas.prepare, p.cas.propose, p.cas.commit, p.cas.perSend] : ['', '', '', p.cas.error])]),
      },
      processTable('Processes during the measured phases: system run', ours.processes),
      ...(relay ? [processTable('Processes during the measured phases: relay run', relay.processes)] : []),
    ],
    phases: { system: ours.phases, ...(relay ? { relay: relay.phases } : {}) },
    details: { hops: ours.hops, connect: { system: { connectS: ours.connectS, quietS: ours.quietS, presenceEvents: ours.presenceEvents }, ...(relay ? { relay: { connectS: relay.connectS, quietS: relay.quietS } } : {}) } },
    processes: { system: ours.processes, ...(relay ? { relay: relay.processes } : {}) },
    chart: { title: 'Delivery latency against offered load', xLabel: 'offered sends/s', yLabel: 'delivery latency (ms, log)', series },
    summary,
    clean,
  };
}
