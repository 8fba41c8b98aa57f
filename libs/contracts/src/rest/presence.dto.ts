import { z } from 'zod';
import { IdSchema } from '../common';
import { PresenceSchema } from '../domain/presence';

export const PresenceQuerySchema = z.object({
  userIds: z
    .string()
    .transform((s) => s.split(',').map((id) => id.trim()).filter(Boolean))
    .pipe(z.array(IdSchema).min(1).max(500)),
});
export type PresenceQuery = z.infer<typeof PresenceQuerySchema>;

export const PresenceResponseSchema = z.object({ presence: z.array(PresenceSchema) });
