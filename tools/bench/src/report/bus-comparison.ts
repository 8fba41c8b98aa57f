// `--bus both`: the targets of the run on Kafka and of the run on RabbitMQ, side by side, each with
// the bare relay of its own run (the ratio to the relay is the comparable figure on a shared machine).
import { type BenchReport, type Table, type TargetRow } from './model';

export function compareBuses(reports: { kafka: BenchReport; rabbitmq: BenchReport }): { table: Table; targets: TargetRow[] } {
  const { kafka, rabbitmq } = reports;
  const byName = new Map(rabbitmq.targets.map((t) => [t.target, t]));
  const names = [...kafka.targets.map((t) => t.target), ...rabbitmq.targets.map((t) => t.target).filter((n) => !kafka.targets.some((t) => t.target === n))];
  const mark = (t: TargetRow | undefined): string => (t?.met === undefined ? '' : t.met ? ' ✓' : ' ✗');
  const cell = (t: TargetRow | undefined): string => (t ? `${t.measured}${t.ratio ? ` (${t.ratio} relay ${t.relay ?? ''})` : ''}${mark(t)}` : '—');
  const rows = names.map((name) => {
    const k = kafka.targets.find((t) => t.target === name);
    const r = byName.get(name);
    return [name, k?.goal ?? r?.goal ?? '', cell(k), cell(r)];
  });
  const targets = names.flatMap((name) =>
    (
      [
        ['kafka', kafka.targets.find((t) => t.target === name)],
        ['rabbitmq', byName.get(name)],
      ] as const
    ).flatMap(([bus, t]) => (t ? [{ ...t, target: `${t.target} [${bus}]` }] : [])),
  );
  return { table: { title: 'Kafka and RabbitMQ, same invocation', header: ['target', 'goal', 'on Kafka', 'on RabbitMQ'], rows }, targets };
}
