// fanout and ramp: U users in C channels (k per user) sending at a fixed total rate, first
// against the bare relay, then against the system, in the same invocation.
//   fanout: one warm-up phase, then one measured phase at --rate for --duration seconds.
//   ramp:   steps from --rate by --step up to --max-rate, --duration seconds each, until delivery
//           p99 passes --p99-limit ms or anything goes wrong (errors, lost, duplicated, reordered,
//           fewer deliveries than offered).
import { type BenchContext } from '../context';
import { LoadFleet, type PhaseOutcome } from '../load/fleet';
import { buildPopulation, type Population, relayPopulation, socketSpecs } from '../population';
import { type HopSummary, hopSummaries, scrapeHops } from '../hops';
import { type ProcessUsage } from '../sampler';
import { Relay } from '../system/relay';
import { type ChartSeries, type ScenarioResult, type TargetRow } from '../report/model';
import { isClean, phaseTable, processTable, ratio } from '../report/tables';

interface Against {
  phases: PhaseOutcome[];
  /** Per-hop breakdown of each phase (the system only). */
  hops: Record<string, HopSummary[]>;
  processes: ProcessUsage[];
  /** Highest step that passed (ramp). */
  sustainable?: PhaseOutcome;
}

function passes(o: PhaseOutcome, p99Limit: number): boolean {
  const errors = Object.values(o.errors).reduce((a, b) => a + b, 0) + o.unanswered + o.disconnects;
  return errors === 0 && isClean(o) && o.delivery.p99 <= p99Limit && o.received >= o.expectedDeliveries && o.acked >= 0.99 * o.sent;
}

async function drive(ctx: BenchContext, label: string, origin: string, population: Population, extraPids: Record<string, number[]>): Promise<Against> {
  const o = ctx.options;
  const fleet = LoadFleet.spawn(o.workers);
  try {
    const started = Date.now();
    const connected = await fleet.connect(origin, socketSpecs(population), { addresses: o.addresses });
    ctx.log(`${label}: ${connected.connected} sockets connected in ${((Date.now() - started) / 1000).toFixed(1)} s${connected.failed ? `, ${connected.failed} failed (${connected.errors.join('; ')})` : ''}`);
    if (connected.failed > 0) throw new Error(`${label}: ${connected.failed} sockets could not connect: ${connected.errors.join('; ')}`);
    const sampler = (await ctx.sampler({ ...extraPids, 'load workers': fleet.pids }));
    await sampler.start();
    if (o.warmup > 0) {
      const warm = await fleet.phase(`${label}-warmup`, Math.min(o.rate, 200), o.warmup, { textBytes: o.textBytes });
      ctx.log(`${label}: warm-up ${warm.acked}/${warm.sent} acked`);
    }
    sampler.reset();
    const phases: PhaseOutcome[] = [];
    const hops: Record<string, HopSummary[]> = {};
    const phase = async (name: string, rate: number): Promise<PhaseOutcome> => {
      const before = label === 'system' ? await scrapeHops(origin) : undefined;
      const outcome = await fleet.phase(name, rate, o.duration, { textBytes: o.textBytes });
      if (before) {
        const list = (hops[name] = hopSummaries(before, await scrapeHops(origin)));
        ctx.log(`${name} per hop (p50/p99 ms): ${list.map((h) => `${h.hop} ${h.p50}/${h.p99}`).join(', ') || 'no trace headers'}`);
      }
      return outcome;
    };
    let sustainable: PhaseOutcome | undefined;
    if (o.scenario === 'fanout') {
      phases.push(await phase(`${label}-fanout`, o.rate));
    } else {
      for (let rate = o.rate; rate <= o.maxRate; rate += Math.max(1, o.step)) {
        const outcome = await phase(`${label}-r${rate}`, rate);
        phases.push(outcome);
        const ok = passes(outcome, o.p99Limit);
        ctx.log(`${label}: ${rate} sends/s → ${outcome.deliveriesPerS} deliveries/s, p99 ${outcome.delivery.p99} ms${ok ? '' : ' (not sustainable: stop)'}`);
        if (!ok) break;
        sustainable = outcome;
      }
    }
    for (const phase of phases) {
      ctx.log(`${label}: ${phase.phase}: ${phase.acked}/${phase.sent} acked, ${phase.deliveriesPerS} deliveries/s, delivery p50/p99/p99.9 ${phase.delivery.p50}/${phase.delivery.p99}/${phase.delivery.p999} ms, lost ${phase.lost}, dup ${phase.duplicates}, reordered ${phase.reordered}`);
    }
    return { phases, hops, processes: sampler.stop(), ...(sustainable ? { sustainable } : {}) };
  } finally {
    await fleet.close();
  }
}

export async function runLoad(ctx: BenchContext): Promise<ScenarioResult> {
  const o = ctx.options;
  const shape = { users: o.users, channels: o.channels, perUser: o.perUser };
  let relay: Against | undefined;
  if (o.relay) {
    const server = await Relay.start();
    try {
      ctx.log(`bare relay at ${server.origin}`);
      relay = await drive(ctx, 'relay', server.origin, relayPopulation(shape), { relay: server.pid ? [server.pid] : [] });
    } finally {
      await server.stop();
    }
  }
  const system = await ctx.systemUnderTest();
  ctx.log(`building ${o.users} users, ${o.channels} channels, ${o.perUser} per user (~${Math.round((o.users * o.perUser) / o.channels)} members each)…`);
  const population = await buildPopulation(system.origin, shape, (line) => ctx.log(line));
  const ours = await drive(ctx, 'system', system.origin, population, {});
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
      measured: `${main.delivery.p99} ms at ${o.users} users, ${o.channels} channels, ${o.rate} sends/s (${main.deliveriesPerS} deliveries/s)`,
      ...(relayMain ? { relay: `${relayMain.delivery.p99} ms`, ratio: ratio(main.delivery.p99, relayMain.delivery.p99) } : {}),
      met: main.delivery.p99 <= 50 && o.users >= 2000 && o.rate >= 1000 && main.acked === main.sent && main.received >= main.expectedDeliveries,
    });
    targets.push({
      target: 'lost / duplicated / reordered',
      goal: '0 / 0 / 0',
      // Lost is counted over acknowledged sends: with some unacknowledged the goal is not shown met.
      measured: `${main.lost} / ${main.duplicates} / ${main.reordered}${main.acked < main.sent ? ` (over the ${main.acked} of ${main.sent} sends acknowledged)` : ''}`,
      met: isClean(main) && main.acked === main.sent,
    });
    summary.push(`fanout ${o.rate} sends/s: delivery p50 ${main.delivery.p50} ms, p99 ${main.delivery.p99} ms, ${main.deliveriesPerS} deliveries/s, lost ${main.lost}, dup ${main.duplicates}, reordered ${main.reordered}${relayMain ? `; relay p99 ${relayMain.delivery.p99} ms, ${relayMain.deliveriesPerS} deliveries/s` : ''}`);
  }
  if (o.scenario === 'ramp') {
    const ourRate = ours.sustainable?.deliveriesPerS ?? 0;
    const relayRate = relay?.sustainable?.deliveriesPerS ?? 0;
    const capped = relay && relay.sustainable && relay.sustainable === relay.phases[relay.phases.length - 1] && relay.sustainable.offeredRate + o.step > o.maxRate;
    targets.push({
      target: 'ramp: highest sustainable deliveries/s',
      goal: '≥ 0.5 × the bare relay’s',
      measured: `${ourRate} deliveries/s at ${ours.sustainable?.offeredRate ?? 0} sends/s`,
      ...(relay ? { relay: `${relayRate} deliveries/s at ${relay.sustainable?.offeredRate ?? 0} sends/s${capped ? ' (capped by --max-rate)' : ''}`, ratio: ratio(ourRate, relayRate) } : {}),
      ...(relay ? { met: relayRate > 0 && ourRate >= 0.5 * relayRate } : {}),
    });
    summary.push(`ramp: sustainable ${ours.sustainable?.offeredRate ?? 0} sends/s = ${ourRate} deliveries/s${relay ? `; relay ${relay.sustainable?.offeredRate ?? 0} sends/s = ${relayRate} deliveries/s; ratio ${ratio(ourRate, relayRate)}` : ''}`);
  }
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
        title: 'Per hop, server side (ms; gateway produced the command → messaging started it → stored in Cassandra → event consumed by the gateway, each Kafka hop split at the record\'s Kafka timestamp into the producer\'s queue and Kafka plus the consumer\'s lag; from trace headers, interpolated in histogram buckets)',
        header: ['phase', 'hop', 'messages', 'p50', 'p90', 'p99'],
        rows: Object.entries(ours.hops).flatMap(([phase, list]) => list.map((h) => [phase, h.hop, h.count, h.p50, h.p90, h.p99])),
      },
      processTable('Processes during the measured phases: system run', ours.processes),
      ...(relay ? [processTable('Processes during the measured phases: relay run', relay.processes)] : []),
    ],
    phases: { system: ours.phases, ...(relay ? { relay: relay.phases } : {}) },
    details: { hops: ours.hops },
    processes: { system: ours.processes, ...(relay ? { relay: relay.processes } : {}) },
    chart: { title: 'Delivery latency against offered load', xLabel: 'offered sends/s', yLabel: 'delivery latency (ms, log)', series },
    summary,
    clean,
  };
}
