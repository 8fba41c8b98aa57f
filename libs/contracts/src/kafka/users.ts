import { z } from 'zod';
import { IdSchema, TimestampSchema } from '../common';
import { defineTopic } from './topic';

export const UserRegisteredEventSchema = z.object({
  userId: IdSchema,
  username: z.string(),
  displayName: z.string(),
  registeredAt: TimestampSchema,
});
export type UserRegisteredEvent = z.infer<typeof UserRegisteredEventSchema>;

export const UserRegisteredTopic = defineTopic({
  name: 'chat.user.registered.v1',
  partitions: 6,
  key: 'userId',
  schema: UserRegisteredEventSchema,
  description: 'An account was created (auth). Services keeping user projections consume it.',
});
