import { type PresenceSignal, type TopicDefinition } from '@chat/contracts';
import { type OutgoingRecord } from '@chat/kafka';
import { MetricsService } from '@chat/service-kit';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import { FakeClock } from '../testing/fake-clock';
import { PresenceReporter } from './presence-reporter';

const USER = '0b9b5f5e-4d8e-4a4b-9a51-2f6c1c0e7d10';
const WORKSPACE = '3e4f1c2a-5b6d-4e7f-8a9b-0c1d2e3f4a5b';

function setup(fail = false) {
  const batches: PresenceSignal[][] = [];
  let failing = fail;
  const clock = new FakeClock();
  const producer = {
    publishBatch: <T extends TopicDefinition>(_topic: T, records: readonly OutgoingRecord<T>[]): Promise<void> => {
      if (failing) return Promise.reject(new Error('kafka down'));
      batches.push(records.map((record) => record.value as PresenceSignal));
      return Promise.resolve();
    },
  };
  const metrics = new GatewayMetrics(new MetricsService());
  const reporter = new PresenceReporter({ PRESENCE_LEASE_MS: 15_000, PRESENCE_FLUSH_MS: 60_000 }, { instanceId: 'gw-1' }, producer, metrics, clock);
  return { reporter, batches, clock, metrics, heal: () => (failing = false), fail: () => (failing = true) };
}

const types = (batch: PresenceSignal[] | undefined): string[] => (batch ?? []).map((s) => `${s.type}${'sessionId' in s ? ` ${s.sessionId}` : ''}`);

describe('PresenceReporter', () => {
  it('sends the signals of one window as one batch, with the workspaces of the handshake', async () => {
    const { reporter, batches } = setup();
    reporter.opened({ sessionId: 's1', userId: USER, workspaceIds: [WORKSPACE] });
    reporter.opened({ sessionId: 's2', userId: USER, workspaceIds: [WORKSPACE] });
    await reporter.flush();
    expect(types(batches[0])).toEqual(['session.opened s1', 'session.opened s2']);
    expect(batches[0]?.[0]).toMatchObject({ userId: USER, gatewayId: 'gw-1', away: false, workspaceIds: [WORKSPACE] });
    reporter.closed('s1');
    await reporter.flush();
    expect(types(batches[1])).toEqual(['session.closed s1']);
    expect(reporter.sessionCount).toBe(1);
  });

  it('sends nothing for a socket opened and closed inside one window', async () => {
    const { reporter, batches } = setup();
    reporter.opened({ sessionId: 's1', userId: USER, workspaceIds: [] });
    reporter.setAway('s1', true);
    reporter.closed('s1');
    await reporter.flush();
    expect(batches).toEqual([]);
  });

  it('folds away/active into the pending open, and sends only real state changes', async () => {
    const { reporter, batches } = setup();
    reporter.opened({ sessionId: 's1', userId: USER, workspaceIds: [] });
    expect(reporter.setAway('s1', true)).toBe(true);
    await reporter.flush();
    expect(batches[0]?.[0]).toMatchObject({ type: 'session.opened', away: true });
    reporter.setAway('s1', true);
    reporter.setAway('s1', false);
    reporter.setAway('s1', true);
    await reporter.flush();
    expect(batches).toHaveLength(1);
    reporter.setAway('s1', false);
    await reporter.flush();
    expect(types(batches[1])).toEqual(['session.active s1']);
    expect(reporter.setAway('unknown', true)).toBe(false);
  });

  it('keeps signals that could not be sent and sends them, in order, at the next flush', async () => {
    const { reporter, batches, heal } = setup(true);
    reporter.opened({ sessionId: 's1', userId: USER, workspaceIds: [] });
    await reporter.flush();
    reporter.opened({ sessionId: 's2', userId: USER, workspaceIds: [] });
    heal();
    await reporter.flush();
    expect(types(batches[0])).toEqual(['session.opened s1', 'session.opened s2']);
  });

  it('announces itself with a heartbeat carrying its lease, and flushes on stop', async () => {
    const { reporter, batches, metrics } = setup();
    await reporter.start();
    expect(batches[0]).toEqual([{ type: 'gateway.alive', gatewayId: 'gw-1', leaseMs: 15_000, at: new Date(0).toISOString() }]);
    reporter.opened({ sessionId: 's1', userId: USER, workspaceIds: [] });
    await reporter.stop();
    expect(types(batches[1])).toEqual(['session.opened s1']);
    const sent = (await metrics.presenceSignals.get()).values.map(({ labels, value }) => [labels.type, value]);
    expect(sent).toEqual([['gateway.alive', 1], ['session.opened', 1]]);
  });

  it('re-announces its live sessions when heartbeats were lost for longer than the lease', async () => {
    const { reporter, batches, clock, fail, heal } = setup();
    await reporter.start();
    reporter.opened({ sessionId: 's1', userId: USER, workspaceIds: [WORKSPACE] });
    reporter.setAway('s1', true);
    await reporter.flush();
    fail();
    clock.ms = 20_000;
    await reporter.heartbeat();
    heal();
    clock.ms = 21_000;
    await reporter.heartbeat();
    await reporter.stop();
    expect(batches.at(-1)).toEqual([
      { type: 'session.opened', userId: USER, gatewayId: 'gw-1', sessionId: 's1', at: new Date(21_000).toISOString(), away: true, workspaceIds: [WORKSPACE] },
    ]);
  });
});
