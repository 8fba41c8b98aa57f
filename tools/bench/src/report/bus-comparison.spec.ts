import { compareBuses } from './bus-comparison';
import { type BenchReport, type TargetRow } from './model';

function report(targets: TargetRow[]): BenchReport {
  return {
    scenario: 'fanout',
    startedAt: '',
    finishedAt: '',
    mode: 'started',
    options: {},
    machine: { cpus: 2, model: 'x', memoryGiB: 24, loadAverage: [], note: '' },
    targets,
    tables: [],
    phases: {},
    processes: {},
    summary: [],
  };
}

describe('compareBuses', () => {
  it('puts each target of the two runs side by side, each with its own relay, and labels the targets by bus', () => {
    const kafka = report([
      { target: 'delivery p99', goal: '≤ 50 ms', measured: '189 ms', relay: '8.4 ms', ratio: '22.5×', met: false },
      { target: 'CPU per send', goal: '≤ 1 ms', measured: '1.38 ms', met: false },
    ]);
    const rabbitmq = report([
      { target: 'delivery p99', goal: '≤ 50 ms', measured: '240 ms', relay: '9.0 ms', ratio: '26.7×', met: false },
      { target: 'broker CPU', goal: '—', measured: '0.4 ms' },
    ]);
    const { table, targets } = compareBuses({ kafka, rabbitmq });
    expect(table.header).toEqual(['target', 'goal', 'on Kafka', 'on RabbitMQ']);
    expect(table.rows).toEqual([
      ['delivery p99', '≤ 50 ms', '189 ms (22.5× relay 8.4 ms) ✗', '240 ms (26.7× relay 9.0 ms) ✗'],
      ['CPU per send', '≤ 1 ms', '1.38 ms ✗', '—'],
      ['broker CPU', '—', '—', '0.4 ms'],
    ]);
    expect(targets.map((t) => t.target)).toEqual(['delivery p99 [kafka]', 'delivery p99 [rabbitmq]', 'CPU per send [kafka]', 'broker CPU [rabbitmq]']);
  });
});
