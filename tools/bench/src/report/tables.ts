// Tables shared by the load scenarios.
import { type PhaseOutcome } from '../load/fleet';
import { type ProcessUsage } from '../sampler';
import { type Table } from './model';

export function phaseTable(title: string, phases: { against: string; outcome: PhaseOutcome }[]): Table {
  return {
    title,
    header: ['against', 'offered sends/s', 'sent', 'acked', 'errors', 'ack p50', 'ack p99', 'delivery p50', 'p90', 'p99', 'p99.9', 'max', 'deliveries/s', 'lost', 'dup', 'reordered'],
    rows: phases.map(({ against, outcome: o }) => [
      against,
      o.offeredRate,
      o.sent,
      o.acked,
      errorText(o),
      o.ack.p50,
      o.ack.p99,
      o.delivery.p50,
      o.delivery.p90,
      o.delivery.p99,
      o.delivery.p999,
      o.delivery.max,
      o.deliveriesPerS,
      o.lost,
      o.duplicates,
      o.reordered,
    ]),
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
  return relay > 0 ? `${(ours / relay).toFixed(2)}×` : 'n/a';
}

export function isClean(o: PhaseOutcome): boolean {
  return o.lost === 0 && o.duplicates === 0 && o.reordered === 0;
}
