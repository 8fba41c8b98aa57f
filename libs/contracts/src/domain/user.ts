import { z } from 'zod';
import { IdSchema, TimestampSchema } from '../common';

export const UserSchema = z.object({
  id: IdSchema,
  username: z.string(),
  displayName: z.string(),
  createdAt: TimestampSchema,
});
export type User = z.infer<typeof UserSchema>;
