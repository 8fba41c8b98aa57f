// Applies a batch of signals of one partition: heartbeats renew gateway leases; each user's
// signals are coalesced into one status computation, so a burst from many devices publishes at
// most one change per user per batch. Two Redis round trips per batch (load, save) plus one
// for heartbeats; the change is published before the save, so a failed save retries the batch
// and publishes again (a repeated status is harmless) rather than losing the change.
import { type PresenceChanged, type PresenceSignal } from '@chat/contracts';
import { type PresenceMetrics } from './presence.metrics';
import { type PresencePublisher } from './presence.publisher';
import { type PresenceRepository, type UserWrite } from './presence.repository';
import { applySignals, type UserSignal } from './user-presence';

export interface PresenceSignalsDeps {
  repository: Pick<PresenceRepository, 'loadUsers' | 'saveUsers' | 'renewLeases'>;
  publisher: Pick<PresencePublisher, 'changes'>;
  graceMs: number;
  defaultLeaseMs: number;
  now: () => number;
  metrics?: Pick<PresenceMetrics, 'signals'>;
}

export class PresenceSignals {
  constructor(private readonly deps: PresenceSignalsDeps) {}

  async apply(signals: readonly PresenceSignal[]): Promise<void> {
    const { repository, publisher, metrics } = this.deps;
    const now = this.deps.now();
    const leases = new Map<string, number>();
    const byUser = new Map<string, UserSignal[]>();
    const reported = new Map<string, Set<string>>();
    for (const signal of signals) {
      metrics?.signals.inc({ type: signal.type });
      if (signal.type === 'gateway.alive') {
        leases.set(signal.gatewayId, Math.max(leases.get(signal.gatewayId) ?? 0, now + signal.leaseMs));
        continue;
      }
      const list = byUser.get(signal.userId) ?? [];
      list.push(signal);
      byUser.set(signal.userId, list);
      if (signal.type === 'session.opened') {
        const set = reported.get(signal.userId) ?? new Set<string>();
        for (const id of signal.workspaceIds) set.add(id);
        reported.set(signal.userId, set);
      }
    }
    await repository.renewLeases(leases);
    if (byUser.size === 0) return;

    const stored = await repository.loadUsers([...byUser.keys()]);
    const writes: UserWrite[] = [];
    const changes: PresenceChanged[] = [];
    for (const [userId, userSignals] of byUser) {
      const user = stored.get(userId);
      if (!user) continue;
      const { record, change } = applySignals(user.record, userSignals, now, this.deps.graceMs);
      const fresh = [...(reported.get(userId) ?? [])].filter((id) => !user.workspaceIds.includes(id));
      writes.push({ userId, before: user.record, after: record, workspaceIds: fresh });
      if (change) changes.push({ userId, ...change, workspaceIds: [...user.workspaceIds, ...fresh] });
    }
    await publisher.changes(changes);
    await repository.saveUsers(writes, now, this.deps.defaultLeaseMs);
  }
}
