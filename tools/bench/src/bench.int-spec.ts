// CI smoke run of the harness: tiny runs of the scenarios against a system it starts itself and
// against the bare relay. Asserts that each run completed, delivered everything exactly once and
// in order, and wrote its report. Never a figure of speed: those are printed, not tested.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBench } from './bench';
import { parseOptions } from './options';

describe('bench harness (smoke)', () => {
  const out = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('fanout: every acked message reaches every member socket once, in order, on the system and on the relay', async () => {
    // Two workspaces of 6 users with 2 channels each: 3 members per channel, all from its workspace.
    const options = parseOptions(['fanout', '--users', '12', '--workspace-size', '6', '--channels', '4', '--rate', '15', '--duration', '2', '--warmup', '1', '--workers', '2', '--out', join(out, 'fanout')]);
    const { report, files } = await runBench(options);

    for (const against of ['system', 'relay']) {
      const [phase] = report.phases[against] ?? [];
      expect(phase).toBeDefined();
      if (!phase) return;
      expect(phase.sent).toBe(30);
      expect(phase.acked).toBe(phase.sent);
      expect(phase.errors).toEqual({});
      // 3 members per channel, each acked message to each of them.
      expect(phase.expectedDeliveries).toBe(phase.acked * 3);
      expect(phase.received).toBe(phase.expectedDeliveries);
      expect({ lost: phase.lost, undelivered: phase.undelivered, duplicates: phase.duplicates, reordered: phase.reordered }).toEqual({ lost: 0, undelivered: 0, duplicates: 0, reordered: 0 });
      // Only the measured phase's sends are counted (the warm-up's are not), each first delivery once.
      expect(phase.delivery).toMatchObject({ count: phase.received, missing: 0 });
      expect(phase.inWindow).toBeLessThanOrEqual(phase.received);
      // CPU per send was measured over the window for the processes of that run.
      expect(phase.cpu?.sends).toBe(phase.acked);
      expect(phase.cpu?.rows.map((r) => r.name)).toEqual(expect.arrayContaining(against === 'system' ? ['gateway', 'messaging', 'kafka', 'cassandra', 'load workers'] : ['relay', 'load workers']));
    }
    const [ours] = report.phases['system'] ?? [];
    // CAS rounds of the run's keyspace, read through nodetool: a count, whatever the send path does.
    expect(ours?.cas).toEqual(expect.objectContaining({ perSend: expect.any(Number) as number }));
    expect(report.details).toMatchObject({ connect: { system: { quietS: expect.any(Number) as number } } });
    expect(report.clean).toBe(true);
    expect(report.processes['system']?.map((p) => p.name)).toEqual(expect.arrayContaining(['gateway', 'messaging', 'auth', 'kafka', 'cassandra', 'load workers']));
    expect(JSON.parse(readFileSync(files.json, 'utf8'))).toMatchObject({ scenario: 'fanout', clean: true });
    expect(readFileSync(files.markdown, 'utf8')).toContain('| fanout delivery p99 |');
    expect(readFileSync(files.markdown, 'utf8')).toContain('| CPU per send, all services and engines (load generator excluded) |');
    expect(files.chart && readFileSync(files.chart, 'utf8')).toContain('<polyline');
  }, 600_000);

  it('history: seeds a channel in the messaging layout and reads correct pages at random cursors', async () => {
    const options = parseOptions(['history', '--messages', '2500', '--pages', '30', '--page-size', '50', '--no-relay', '--out', join(out, 'history')]);
    const { report, files } = await runBench(options);

    expect(report.details).toMatchObject({ pages: 30, wrong: 0, latency: { count: 30 }, compaction: { settled: expect.any(Boolean) as boolean } });
    expect(existsSync(files.markdown)).toBe(true);
  }, 600_000);

  it('idle-sockets: holds the sockets open on the gateway and reports its memory per socket', async () => {
    const options = parseOptions(['idle-sockets', '--sockets', '60', '--users', '6', '--rest', '2', '--out', join(out, 'idle')]);
    const { report } = await runBench(options);

    expect(report.details).toMatchObject({ gateway: { sockets: 60, failed: 0 }, relay: { sockets: 60, failed: 0 } });
    expect(report.targets.map((t) => t.target)).toEqual(expect.arrayContaining(['memory per idle socket', 'heap per idle socket (after a forced GC)']));
    // Both heaps were read after a forced GC through the inspector the bench started them with.
    expect(report.details).toMatchObject({ gateway: { heap: { kibPerSocket: expect.any(Number) as number } }, relay: { heap: { kibPerSocket: expect.any(Number) as number } } });
  }, 600_000);
});
