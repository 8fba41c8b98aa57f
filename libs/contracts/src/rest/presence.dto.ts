import { z } from 'zod';
import { IdSchema, LIMITS } from '../common';
import { PresenceSchema } from '../domain/presence';

/** At most LIMITS.presenceUserIdsMax ids: 200 UUIDs keep the URL (about 7.4 kB) far below Node's 16 kB header limit. */
export const PresenceQuerySchema = z.object({
  userIds: z
    .string()
    .transform((s) => s.split(',').map((id) => id.trim()).filter(Boolean))
    .pipe(z.array(IdSchema).min(1).max(LIMITS.presenceUserIdsMax)),
});
export type PresenceQuery = z.infer<typeof PresenceQuerySchema>;

export const PresenceResponseSchema = z.object({ presence: z.array(PresenceSchema) });
