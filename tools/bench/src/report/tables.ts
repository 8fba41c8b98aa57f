// Tables shared by the load scenarios.
import { formatMs } from '../latency';
import { type PhaseOutcome } from '../load/fleet';
import { type ProcessUsage } from '../sampler';
import { type Table } from './model';

export function phaseTable(title: string, phases: { against: string; outcome: PhaseOutcome }[]): Table {
  return {
    title,
    header: ['against', 'offered sends/s', 'sent', 'acked', 'errors', 'ack p50', 'ack p99', 'delivery p50', 'p90', 'p99', 'p99.9', 'max', 'deliveries/s in window', 'undelivered (∞)', 'lost', 'dup', 'reordered'],
    rows: phases.map(({ against, outcome: o }) => [
      against,
      o.offeredRate,
      o.sent,
      o.acked,
      errorText(o),
      formatMs(o.ack.p50),
      formatMs(o.ack.p99),
      formatMs(o.delivery.p50),
      formatMs(o.delivery.p90),
      formatMs(o.delivery.p99),
      formatMs(o.delivery.p999),
      formatMs(o.delivery.max),
      o.deliveriesPerS,
      o.undelivered,
      o.lost,
      o.duplicates,
      o.reordered,
    ]),
  };
}

/** CPU per acknowledged send of every process, per phase, from /proc utime+stime at the window's ends. */
export function cpuTable(phases: { against: string; outcome: PhaseOutcome }[]): Table {
  return {
    title: 'CPU per acknowledged send over each measuring window (first scheduled send → last delivery; utime+stime from /proc; a service run as several instances also as their sum; the total leaves out the load workers)',
    header: ['against', 'phase', 'process', 'window s', 'CPU ms', 'µs per send', '% of a core'],
    rows: phases.flatMap(({ against, outcome: o }) =>
      o.cpu ? [...o.cpu.rows, ...o.cpu.services, o.cpu.total].map((r) => [against, o.phase, r.name, o.cpu?.windowS ?? 0, r.cpuMs, r.usPerSend, r.corePct]) : [],
    ),
  };
}

export function errorText(o: PhaseOutcome): string {
  const parts = Object.entries(o.errors).map(([code, n]) => `${code} ${n}`);
  if (o.unanswered) parts.push(`unanswered ${o.unanswered}`);
  if (o.disconnects) parts.push(`disconnects ${o.disconnects}`);
  return parts.join(', ') || '0';
}

export function processTable(title: string, usage: ProcessUsage[]): Table {
  return {
    title,
    header: ['process', 'pids', 'CPU mean % of a core', 'CPU max %', 'RSS mean MiB', 'RSS max MiB'],
    rows: usage.map((u) => [u.name, u.pids, u.cpuMeanPct, u.cpuMaxPct, u.rssMeanMiB, u.rssMaxMiB]),
  };
}

export function ratio(ours: number, relay: number): string {
  if (!(relay > 0) || !Number.isFinite(relay)) return 'n/a';
  return Number.isFinite(ours) ? `${(ours / relay).toFixed(2)}×` : '∞';
}

export function isClean(o: PhaseOutcome): boolean {
  return o.lost === 0 && o.duplicates === 0 && o.reordered === 0;
}
