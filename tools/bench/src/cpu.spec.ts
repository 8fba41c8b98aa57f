import { cpuPerSend, type CpuSnapshot } from './cpu';

const snapshot = (at: number, groups: Record<string, Record<number, number>>): CpuSnapshot => ({
  at,
  ticks: new Map(Object.entries(groups).map(([name, pids]) => [name, new Map(Object.entries(pids).map(([pid, t]) => [Number(pid), t]))])),
});

describe('cpuPerSend', () => {
  it('divides each group\'s CPU over the window by the acknowledged sends, and totals all but the excluded', () => {
    // 100 ticks per second: 1 tick = 10 ms.
    const before = snapshot(0, { gateway: { 10: 1_000 }, cassandra: { 20: 5_000 }, postgres: { 30: 100, 31: 200 }, 'load workers': { 40: 0 } });
    const after = snapshot(10_000, { gateway: { 10: 1_050 }, cassandra: { 20: 5_100 }, postgres: { 30: 105, 31: 205 }, 'load workers': { 40: 300 } });
    const result = cpuPerSend(before, after, 1_000, new Set(['load workers']));

    expect(result.windowS).toBe(10);
    expect(result.rows).toEqual([
      { name: 'gateway', cpuMs: 500, usPerSend: 500, corePct: 5 },
      { name: 'cassandra', cpuMs: 1_000, usPerSend: 1_000, corePct: 10 },
      { name: 'postgres', cpuMs: 100, usPerSend: 100, corePct: 1 },
      { name: 'load workers', cpuMs: 3_000, usPerSend: 3_000, corePct: 30 },
    ]);
    expect(result.total).toEqual({ name: 'total (services and engines)', cpuMs: 1_600, usPerSend: 1_600, corePct: 16 });
  });

  it('counts a pid only when it was there at both ends, and reports zero per send without sends', () => {
    const before = snapshot(0, { messaging: { 1: 100, 2: 100 } });
    const after = snapshot(1_000, { messaging: { 1: 110, 3: 999 } });
    const result = cpuPerSend(before, after, 0);

    expect(result.rows).toEqual([{ name: 'messaging', cpuMs: 100, usPerSend: 0, corePct: 10 }]);
    expect(result.total.cpuMs).toBe(100);
  });

  it('leaves out a group that had no process at the start', () => {
    const result = cpuPerSend(snapshot(0, { files: {} }), snapshot(1_000, { files: { 5: 10 } }), 10);
    expect(result.rows).toEqual([]);
    expect(result.total.cpuMs).toBe(0);
  });

  it('sums the instances of a service run several times, beside their own rows and not twice in the total', () => {
    const before = snapshot(0, { 'gateway-1': { 10: 0 }, 'gateway-2': { 11: 0 }, 'messaging-1': { 12: 0 }, kafka: { 20: 0 } });
    const after = snapshot(1_000, { 'gateway-1': { 10: 30 }, 'gateway-2': { 11: 20 }, 'messaging-1': { 12: 10 }, kafka: { 20: 10 } });
    const result = cpuPerSend(before, after, 100);

    expect(result.rows.map((r) => r.name)).toEqual(['gateway-1', 'gateway-2', 'messaging-1', 'kafka']);
    // One messaging instance (`messaging-1` alone) is not a sum of several.
    expect(result.services).toEqual([{ name: 'gateway (2 instances)', cpuMs: 500, usPerSend: 5_000, corePct: 50 }]);
    expect(result.total.cpuMs).toBe(700);
  });
});
