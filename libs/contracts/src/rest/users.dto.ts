import { z } from 'zod';
import { IdSchema, UsernameSchema } from '../common';
import { UserSchema } from '../domain/user';

/** `GET /api/users?ids=a,b` or `?username=ada`: public profiles, so clients can name senders and start DMs. */
export const UsersQuerySchema = z.union([
  z.object({
    ids: z
      .string()
      .transform((s) => s.split(',').map((id) => id.trim()).filter(Boolean))
      .pipe(z.array(IdSchema).min(1).max(200)),
  }).strict(),
  z.object({ username: UsernameSchema }).strict(),
]);
export type UsersQuery = z.infer<typeof UsersQuerySchema>;

export const UsersResponseSchema = z.object({ users: z.array(UserSchema) });
export type UsersResponse = z.infer<typeof UsersResponseSchema>;
