import { z } from 'zod';
import { IdSchema, TimestampSchema } from '../common';
import { defineTopic } from './topic';

export const SESSION_REVOCATION_REASONS = ['logout', 'sign-out-everywhere', 'password-changed', 'token-reuse'] as const;
export type SessionRevocationReason = (typeof SESSION_REVOCATION_REASONS)[number];

export const SessionRevokedEventSchema = z.object({
  userId: IdSchema,
  /** The sessions (refresh-token families, the `sid` of their access tokens) that ended. */
  sessionIds: z.array(IdSchema).min(1).max(10_000),
  reason: z.enum(SESSION_REVOCATION_REASONS),
  revokedAt: TimestampSchema,
});
export type SessionRevokedEvent = z.infer<typeof SessionRevokedEventSchema>;

export const SessionRevokedTopic = defineTopic({
  name: 'chat.auth.session-revoked.v1',
  partitions: 6,
  key: 'userId',
  schema: SessionRevokedEventSchema,
  description:
    'Sessions of a user ended (auth: logout, sign out everywhere, password change, refresh-token reuse). Every gateway consumes it and disconnects the sockets of those sessions.',
});
