// Every Redis key presence owns (under its prefix), and the only code that touches them:
//   u:<userId>:s   hash  <gatewayId>/<sessionId> → active|away   the user's connected devices
//   u:<userId>:p   hash  status, lastSeenAt, offlineDueAt, lastLeftAt   what others were told
//   u:<userId>:ws  set   workspace ids (projection of chat.workspace.membership.v1, channel joins
//                        of chat.channel.membership.v1, and handshakes)
//   u:<userId>:wst hash  workspace id → time (ms) of the latest change applied to that membership
//   gw:<gatewayId> set   <userId>/<sessionId>   sessions a gateway reported, for its expiry
//   gateways       zset  gatewayId → lease end (ms)
//   offline-due    zset  userId → grace end (ms)
// Per-user keys are written only by the consumer of the user's signal partition (one writer);
// the zsets are claimed by the sweepers with scripts, so two presence instances never both act.
import { Inject, Injectable } from '@nestjs/common';
import { type PresenceStatus, PresenceStatusSchema } from '@chat/contracts';
import { REDIS } from '@chat/redis';
import type Redis from 'ioredis';
import { PresenceMetrics } from './presence.metrics';
import { type SessionState, splitSessionKey, type UserRecord } from './user-presence';

const GATEWAYS = 'gateways';
const OFFLINE_DUE = 'offline-due';
const sessionsKey = (userId: string): string => `u:${userId}:s`;
const stateKey = (userId: string): string => `u:${userId}:p`;
const workspacesKey = (userId: string): string => `u:${userId}:ws`;
const workspaceTimesKey = (userId: string): string => `u:${userId}:wst`;
const gatewayKey = (gatewayId: string): string => `gw:${gatewayId}`;

/** Members whose score is due, each pushed `retryMs` into the future (claimed until then). */
const CLAIM_DUE = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, member in ipairs(due) do redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2]), member) end
return due`;

/**
 * One workspace membership change, last writer wins by event time: joins and leaves come on two
 * topics (and replays), in no order relative to each other, so an older event must not undo a
 * newer one (a replayed channel join must not bring back a workspace the user left). A workspace a
 * handshake reports (`reported`) is only added when no change of it is known at all.
 */
const APPLY_WORKSPACE_CHANGE = `
local last = redis.call('HGET', KEYS[2], ARGV[1])
if ARGV[3] == 'reported' then
  if last then return 0 end
  return redis.call('SADD', KEYS[1], ARGV[1])
end
if last and tonumber(last) > tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if ARGV[3] == 'joined' then redis.call('SADD', KEYS[1], ARGV[1]) else redis.call('SREM', KEYS[1], ARGV[1]) end
return 1`;

export interface WorkspaceChange {
  userId: string;
  workspaceId: string;
  change: 'joined' | 'left';
  /** When it happened (ms since the epoch). */
  at: number;
}

/** Forgets a gateway whose lease ended once none of its sessions is left (and no heartbeat renewed it). */
const DROP_EMPTY_GATEWAY = `
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) <= tonumber(ARGV[2]) and redis.call('SCARD', KEYS[2]) == 0 then
  return redis.call('ZREM', KEYS[1], ARGV[1])
end
return 0`;

export interface StoredUser {
  record: UserRecord;
  workspaceIds: string[];
}

export interface UserWrite {
  userId: string;
  before: UserRecord;
  after: UserRecord;
  /** Workspaces the gateways reported at handshake. */
  workspaceIds: readonly string[];
}

export interface VisiblePresence {
  userId: string;
  status: PresenceStatus;
  lastSeenAt: string | null;
}

type PipelineResult = [Error | null, unknown][] | null;

function results(result: PipelineResult): unknown[] {
  if (!result) throw new Error('redis pipeline was discarded');
  return result.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

function parseRecord(sessions: Record<string, string>, state: Record<string, string>): UserRecord {
  const status = PresenceStatusSchema.safeParse(state['status']);
  const due = state['offlineDueAt'] ? Number(state['offlineDueAt']) : null;
  return {
    sessions: new Map(Object.entries(sessions).filter((e): e is [string, SessionState] => e[1] === 'active' || e[1] === 'away')),
    status: status.success ? status.data : 'offline',
    lastSeenAt: state['lastSeenAt'] || null,
    offlineDueAt: due !== null && Number.isFinite(due) ? due : null,
    lastLeftAt: state['lastLeftAt'] || null,
  };
}

@Injectable()
export class PresenceRepository {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly metrics: PresenceMetrics,
  ) {}

  /** One round trip: the records and workspaces of every user named. */
  async loadUsers(userIds: readonly string[]): Promise<Map<string, StoredUser>> {
    const pipeline = this.redis.pipeline();
    for (const id of userIds) pipeline.hgetall(sessionsKey(id)).hgetall(stateKey(id)).smembers(workspacesKey(id));
    const values = results(await this.count('load', pipeline.exec()));
    const users = new Map<string, StoredUser>();
    userIds.forEach((id, i) => {
      const [sessions, state, workspaces] = values.slice(i * 3, i * 3 + 3) as [Record<string, string>, Record<string, string>, string[]];
      users.set(id, { record: parseRecord(sessions, state), workspaceIds: workspaces });
    });
    return users;
  }

  /**
   * One round trip (MULTI): the new records, the gateways' session indexes, grace deadlines, and
   * a lease (`defaultLeaseMs`, only if none yet) for gateways not heard from before.
   */
  async saveUsers(writes: readonly UserWrite[], now: number, defaultLeaseMs: number): Promise<void> {
    if (writes.length === 0) return;
    const multi = this.redis.multi();
    const newGateways = new Set<string>();
    for (const { userId, before, after, workspaceIds } of writes) {
      for (const key of before.sessions.keys()) {
        if (after.sessions.has(key)) continue;
        const { gatewayId, sessionId } = splitSessionKey(key);
        multi.srem(gatewayKey(gatewayId), `${userId}/${sessionId}`);
      }
      for (const key of after.sessions.keys()) {
        if (before.sessions.has(key)) continue;
        const { gatewayId, sessionId } = splitSessionKey(key);
        multi.sadd(gatewayKey(gatewayId), `${userId}/${sessionId}`);
        newGateways.add(gatewayId);
      }
      multi.del(sessionsKey(userId));
      if (after.sessions.size > 0) multi.hset(sessionsKey(userId), Object.fromEntries(after.sessions));
      multi.hset(stateKey(userId), {
        status: after.status,
        lastSeenAt: after.lastSeenAt ?? '',
        offlineDueAt: after.offlineDueAt === null ? '' : String(after.offlineDueAt),
        lastLeftAt: after.lastLeftAt ?? '',
      });
      if (after.offlineDueAt !== null) multi.zadd(OFFLINE_DUE, after.offlineDueAt, userId);
      else if (before.offlineDueAt !== null) multi.zrem(OFFLINE_DUE, userId);
      for (const workspaceId of workspaceIds) multi.eval(APPLY_WORKSPACE_CHANGE, 2, workspacesKey(userId), workspaceTimesKey(userId), workspaceId, now, 'reported');
    }
    for (const gatewayId of newGateways) multi.zadd(GATEWAYS, 'NX', now + defaultLeaseMs, gatewayId);
    results(await this.count('save', multi.exec()));
  }

  /** A heartbeat: the gateway's sessions count as connected until `expiresAt`. */
  async renewLeases(leases: ReadonlyMap<string, number>): Promise<void> {
    if (leases.size === 0) return;
    const pipeline = this.redis.pipeline();
    for (const [gatewayId, expiresAt] of leases) pipeline.zadd(GATEWAYS, 'GT', expiresAt, gatewayId);
    results(await this.count('lease', pipeline.exec()));
  }

  /** Gateways whose lease ended, claimed for `retryMs`. */
  claimExpiredGateways(now: number, retryMs: number, limit: number): Promise<string[]> {
    return this.count('claim', this.redis.eval(CLAIM_DUE, 1, GATEWAYS, now, retryMs, limit) as Promise<string[]>);
  }

  /** Users whose grace period ended, claimed for `retryMs`. */
  claimDueUsers(now: number, retryMs: number, limit: number): Promise<string[]> {
    return this.count('claim', this.redis.eval(CLAIM_DUE, 1, OFFLINE_DUE, now, retryMs, limit) as Promise<string[]>);
  }

  /** The sessions a gateway reported and that are still open: `{userId, sessionId}`. */
  async gatewaySessions(gatewayId: string): Promise<{ userId: string; sessionId: string }[]> {
    const members = await this.count('gateway', this.redis.smembers(gatewayKey(gatewayId)));
    return members.map((member) => {
      const at = member.indexOf('/');
      return { userId: member.slice(0, at), sessionId: member.slice(at + 1) };
    });
  }

  async dropGatewayIfEmpty(gatewayId: string, now: number): Promise<boolean> {
    const removed = await this.count('gateway', this.redis.eval(DROP_EMPTY_GATEWAY, 2, GATEWAYS, gatewayKey(gatewayId), gatewayId, now) as Promise<number>);
    return removed === 1;
  }

  /** Projection of workspace membership (last writer wins per user and workspace): one round trip. */
  async applyWorkspaceChanges(changes: readonly WorkspaceChange[]): Promise<void> {
    if (changes.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const { userId, workspaceId, change, at } of changes) {
      pipeline.eval(APPLY_WORKSPACE_CHANGE, 2, workspacesKey(userId), workspaceTimesKey(userId), workspaceId, at, change);
    }
    results(await this.count('workspaces', pipeline.exec()));
  }

  /**
   * One round trip: the caller's workspaces, and each target's workspaces and published state.
   * Only targets sharing a workspace with the caller (and the caller) are returned.
   */
  async visibleTo(callerId: string, targetIds: readonly string[]): Promise<VisiblePresence[]> {
    const pipeline = this.redis.pipeline().smembers(workspacesKey(callerId));
    for (const id of targetIds) pipeline.smembers(workspacesKey(id)).hmget(stateKey(id), 'status', 'lastSeenAt');
    const values = results(await this.count('query', pipeline.exec()));
    const mine = new Set(values[0] as string[]);
    return targetIds.flatMap((userId, i): VisiblePresence[] => {
      const workspaces = values[1 + i * 2] as string[];
      const [status, lastSeenAt] = values[2 + i * 2] as [string | null, string | null];
      if (userId !== callerId && !workspaces.some((w) => mine.has(w))) return [];
      const parsed = PresenceStatusSchema.safeParse(status);
      return [{ userId, status: parsed.success ? parsed.data : 'offline', lastSeenAt: lastSeenAt || null }];
    });
  }

  private async count<T>(op: string, call: Promise<T>): Promise<T> {
    this.metrics.redisCalls.inc({ op });
    return call;
  }
}
