// The Markdown report: the targets with their measured figures and relay ratios, then every table.
import { type BenchReport, type Table } from './model';

export function renderTable(table: Table): string {
  const line = (cells: (string | number)[]): string => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  return [`**${table.title}**`, '', line(table.header), line(table.header.map(() => '---')), ...table.rows.map(line)].join('\n');
}

export function renderMarkdown(report: BenchReport, chartFile: string | undefined): string {
  const mark = (met: boolean | undefined): string => (met === undefined ? '' : met ? 'yes' : 'no');
  const parts = [
    `# Benchmark: ${report.scenario}`,
    '',
    `${report.startedAt} → ${report.finishedAt}; system ${report.mode === 'started' ? 'started by the harness (isolated run)' : `already running at ${String(report.options['target'])}`}.`,
    `Machine: ${report.machine.cpus} × ${report.machine.model}, ${report.machine.memoryGiB} GiB; load average at start ${report.machine.loadAverage.join(' / ')}. ${report.machine.note}`,
    '',
    `Parameters: \`${Object.entries(report.options).filter(([k]) => k !== 'scenario').map(([k, v]) => `${k}=${String(v)}`).join(' ')}\``,
    '',
    renderTable({
      title: 'Targets',
      header: ['target', 'goal', 'measured', 'bare relay', 'ratio to relay', 'met'],
      rows: report.targets.map((t) => [t.target, t.goal, t.measured, t.relay ?? '', t.ratio ?? '', mark(t.met)]),
    }),
    '',
    ...report.tables.flatMap((table) => [renderTable(table), '']),
    ...(chartFile ? [`![${report.chart?.title ?? 'chart'}](${chartFile})`, ''] : []),
  ];
  return parts.join('\n');
}
