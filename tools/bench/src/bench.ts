// Runs one scenario end to end and writes its report: `<out>/report.json`, `report.md` and
// `latency.svg` (load scenarios). Everything it started is stopped, whatever happens, and a
// whole-run deadline (--deadline seconds) ends a run that hangs. With `--bus both` the scenario
// runs twice, the system started on Kafka and then on RabbitMQ (each run's report in
// `<out>/kafka/` and `<out>/rabbitmq/`, each with its own bare relay), and `<out>/report.md`
// puts their targets side by side.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { BenchContext } from './context';
import { jsonInfinity } from './latency';
import { type BenchOptions, type Bus } from './options';
import { compareBuses } from './report/bus-comparison';
import { renderMarkdown, renderTable } from './report/markdown';
import { type BenchReport, type ScenarioResult } from './report/model';
import { summarizeProfiles } from './report/profile-summary';
import { renderSvg } from './report/svg';
import { runHistory } from './scenarios/history';
import { runIdleSockets } from './scenarios/idle-sockets';
import { runLoad } from './scenarios/load';

export interface BenchRun {
  report: BenchReport;
  files: { json: string; markdown: string; chart?: string };
}

function scenario(ctx: BenchContext): Promise<ScenarioResult> {
  switch (ctx.options.scenario) {
    case 'fanout':
    case 'ramp':
      return runLoad(ctx);
    case 'idle-sockets':
      return runIdleSockets(ctx);
    case 'history':
      return runHistory(ctx);
  }
}

export async function runBench(options: BenchOptions): Promise<BenchRun> {
  if (options.bus !== 'both') return runOne(options);
  const runs: Partial<Record<Bus, BenchRun>> = {};
  for (const bus of ['kafka', 'rabbitmq'] as const) runs[bus] = await runOne({ ...options, bus, out: join(options.out, bus) });
  const kafka = runs.kafka as BenchRun;
  const rabbitmq = runs.rabbitmq as BenchRun;
  const comparison = compareBuses({ kafka: kafka.report, rabbitmq: rabbitmq.report });
  const report: BenchReport = {
    ...kafka.report,
    finishedAt: rabbitmq.report.finishedAt,
    options: { ...options },
    targets: comparison.targets,
    tables: [comparison.table],
    summary: [...kafka.report.summary.map((l) => `[kafka] ${l}`), ...rabbitmq.report.summary.map((l) => `[rabbitmq] ${l}`)],
    phases: {},
    processes: {},
    details: { runs: { kafka: kafka.files, rabbitmq: rabbitmq.files } },
    ...(kafka.report.clean === undefined && rabbitmq.report.clean === undefined ? {} : { clean: kafka.report.clean !== false && rabbitmq.report.clean !== false }),
  };
  delete report.chart;
  await mkdir(options.out, { recursive: true });
  const files: BenchRun['files'] = { json: join(options.out, 'report.json'), markdown: join(options.out, 'report.md') };
  await writeFile(files.json, JSON.stringify(report, jsonInfinity, 2));
  const markdown = [
    `# Benchmark: ${options.scenario} on Kafka and on RabbitMQ`,
    '',
    `${report.startedAt} → ${report.finishedAt}. The system was started twice in this invocation, on each bus, with the same parameters; each run measured its own bare relay. Full reports: [Kafka](kafka/report.md), [RabbitMQ](rabbitmq/report.md).`,
    '',
    renderTable(comparison.table),
    '',
  ].join('\n');
  await writeFile(files.markdown, markdown);
  return { report, files };
}

async function runOne(options: BenchOptions): Promise<BenchRun> {
  const ctx = new BenchContext(options);
  const startedAt = new Date().toISOString();
  const load = loadavg().map((n) => Math.round(n * 100) / 100);
  let result: ScenarioResult;
  try {
    result = await scenario(ctx);
  } finally {
    await ctx.cleanup();
  }
  if (options.profile) {
    const profiles = await summarizeProfiles(join(options.out, 'profiles'), ctx.profileWindows);
    result.tables.push(...profiles);
  }
  const report: BenchReport = {
    scenario: options.scenario,
    startedAt,
    finishedAt: new Date().toISOString(),
    mode: options.target ? 'target' : 'started',
    options: { ...options },
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      loadAverage: load,
      note: 'Every engine, service, the load workers and the relay share this machine (and possibly other users of it), so absolute figures are noisy; the ratios to the bare relay, measured in the same invocation, are the comparable figures.',
    },
    ...result,
  };
  await mkdir(options.out, { recursive: true });
  const files: BenchRun['files'] = { json: join(options.out, 'report.json'), markdown: join(options.out, 'report.md') };
  if (report.chart && report.chart.series.some((s) => s.points.length > 0)) {
    files.chart = join(options.out, 'latency.svg');
    await writeFile(files.chart, renderSvg(report.chart));
  }
  await writeFile(files.json, JSON.stringify(report, jsonInfinity, 2));
  await writeFile(files.markdown, renderMarkdown(report, files.chart ? 'latency.svg' : undefined));
  return { report, files };
}
