// The status rule, as a pure function: a user's signals of one batch applied to their stored
// record give the new record and at most one change to publish. online while any session is
// active, away while every session is away, offline once none is left and the grace period ended.
import { type PresenceStatus, type PresenceSignal } from '@chat/contracts';

export type SessionState = 'active' | 'away';
export type UserSignal = Exclude<PresenceSignal, { type: 'gateway.alive' }>;

export interface UserRecord {
  /** `<gatewayId>/<sessionId>` → state: every connected device. */
  sessions: Map<string, SessionState>;
  /** What others were last told. */
  status: PresenceStatus;
  lastSeenAt: string | null;
  /** When a running grace period ends (ms since the epoch), or null. */
  offlineDueAt: number | null;
  /** When the last session went away (offline's lastSeenAt). */
  lastLeftAt: string | null;
}

export interface PresenceChange {
  status: PresenceStatus;
  lastSeenAt: string | null;
}

export interface Applied {
  record: UserRecord;
  change: PresenceChange | null;
}

export const emptyRecord = (): UserRecord => ({ sessions: new Map(), status: 'offline', lastSeenAt: null, offlineDueAt: null, lastLeftAt: null });

export const sessionKey = (gatewayId: string, sessionId: string): string => `${gatewayId}/${sessionId}`;

/** `<gatewayId>/<sessionId>` split at its last slash (socket ids have none; gateway ids might). */
export function splitSessionKey(key: string): { gatewayId: string; sessionId: string } {
  const at = key.lastIndexOf('/');
  return { gatewayId: key.slice(0, at), sessionId: key.slice(at + 1) };
}

/** The status the sessions alone imply. */
export function liveStatus(sessions: ReadonlyMap<string, SessionState>): PresenceStatus {
  if (sessions.size === 0) return 'offline';
  for (const state of sessions.values()) if (state === 'active') return 'online';
  return 'away';
}

export function applySignals(current: UserRecord, signals: readonly UserSignal[], now: number, graceMs: number): Applied {
  const sessions = new Map(current.sessions);
  let lastLeftAt = current.lastLeftAt;
  // Sessions of a dead gateway: their lease already was the wait, so no grace period follows.
  let expired = false;
  for (const signal of signals) {
    switch (signal.type) {
      case 'session.opened':
        sessions.set(sessionKey(signal.gatewayId, signal.sessionId), signal.away ? 'away' : 'active');
        break;
      case 'session.away':
      case 'session.active': {
        const key = sessionKey(signal.gatewayId, signal.sessionId);
        // A state change of a session already closed (or expired) must not bring it back.
        if (sessions.has(key)) sessions.set(key, signal.type === 'session.away' ? 'away' : 'active');
        break;
      }
      case 'session.closed':
      case 'session.expired':
        if (sessions.delete(sessionKey(signal.gatewayId, signal.sessionId))) {
          lastLeftAt = signal.at;
          expired = signal.type === 'session.expired';
        }
        break;
      case 'user.settle':
        break;
    }
  }

  const live = liveStatus(sessions);
  const nowIso = new Date(now).toISOString();
  const base: UserRecord = { ...current, sessions, lastLeftAt };
  if (live !== 'offline') {
    const record: UserRecord = { ...base, offlineDueAt: null };
    if (live === current.status) return { record, change: null };
    return { record: { ...record, status: live, lastSeenAt: nowIso }, change: { status: live, lastSeenAt: nowIso } };
  }
  if (current.status === 'offline') return { record: { ...base, offlineDueAt: null }, change: null };
  const dueAt = expired ? now : (current.offlineDueAt ?? now + graceMs);
  if (now < dueAt) return { record: { ...base, offlineDueAt: dueAt }, change: null };
  const lastSeenAt = lastLeftAt ?? nowIso;
  return { record: { ...base, status: 'offline', lastSeenAt, offlineDueAt: null }, change: { status: 'offline', lastSeenAt } };
}
