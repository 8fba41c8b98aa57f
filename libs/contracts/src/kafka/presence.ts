// Presence over Kafka. Gateways report what their sockets do (signals keyed by user, so one
// consumer applies a user's signals in order); the presence service publishes status changes,
// each with the workspaces of the user so gateways deliver it only to workspace rooms.
import { z } from 'zod';
import { IdSchema, TimestampSchema } from '../common';
import { PresenceStatusSchema } from '../domain/presence';
import { defineTopic } from './topic';

const GatewayIdSchema = z.string().min(1).max(128);
/** One Socket.IO connection of one gateway instance. */
const SessionIdSchema = z.string().min(1).max(128);

const sessionSignal = {
  userId: IdSchema,
  gatewayId: GatewayIdSchema,
  sessionId: SessionIdSchema,
  at: TimestampSchema,
};

/**
 * `session.*` come from gateways; `gateway.alive` is a gateway's heartbeat (key: gatewayId), a
 * lease on every session it reported; `session.expired` (a dead gateway's session) and
 * `user.settle` (a grace period ended) come from the presence sweeper, so that every change of a
 * user's state is applied by the one consumer of the user's partition.
 */
export const PresenceSignalSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('session.opened'),
    ...sessionSignal,
    away: z.boolean(),
    /** The user's workspaces as the gateway learnt them at handshake (from messaging). */
    workspaceIds: z.array(IdSchema).max(10_000),
  }),
  z.object({ type: z.literal('session.closed'), ...sessionSignal }),
  z.object({ type: z.literal('session.away'), ...sessionSignal }),
  z.object({ type: z.literal('session.active'), ...sessionSignal }),
  z.object({ type: z.literal('session.expired'), ...sessionSignal }),
  z.object({ type: z.literal('user.settle'), userId: IdSchema, at: TimestampSchema }),
  z.object({
    type: z.literal('gateway.alive'),
    gatewayId: GatewayIdSchema,
    /** The gateway's sessions count as connected until this long after `at` without a new heartbeat. */
    leaseMs: z.number().int().min(1_000).max(600_000),
    at: TimestampSchema,
  }),
]);
export type PresenceSignal = z.infer<typeof PresenceSignalSchema>;
export type SessionSignal = Exclude<PresenceSignal, { type: 'gateway.alive' | 'user.settle' }>;

export const PresenceSignalTopic = defineTopic({
  name: 'chat.presence.signal.v1',
  partitions: 6,
  key: 'userId (gatewayId for gateway.alive)',
  schema: PresenceSignalSchema,
  description: 'Socket sessions opened, closed, away or active, and gateway heartbeats (gateways); expiries and grace ends (presence). Consumed by presence.',
});

export const PresenceChangedSchema = z.object({
  userId: IdSchema,
  status: PresenceStatusSchema,
  lastSeenAt: TimestampSchema.nullable(),
  /** Workspaces of the user: gateways deliver to these workspace rooms only. */
  workspaceIds: z.array(IdSchema).max(10_000),
});
export type PresenceChanged = z.infer<typeof PresenceChangedSchema>;

export const PresenceChangedTopic = defineTopic({
  name: 'chat.presence.changed.v1',
  partitions: 6,
  key: 'userId',
  schema: PresenceChangedSchema,
  description: "A user's status changed (presence). Every gateway emits `presence` to the user's workspace rooms.",
});
