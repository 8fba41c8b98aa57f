import { z } from 'zod';
import { IdSchema, TimestampSchema } from '../common';

export const PresenceStatusSchema = z.enum(['online', 'away', 'offline']);
export type PresenceStatus = z.infer<typeof PresenceStatusSchema>;

export const PresenceSchema = z.object({
  userId: IdSchema,
  status: PresenceStatusSchema,
  lastSeenAt: TimestampSchema.nullable(),
});
export type Presence = z.infer<typeof PresenceSchema>;
