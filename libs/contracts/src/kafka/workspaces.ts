import { z } from 'zod';
import { IdSchema, TimestampSchema } from '../common';
import { defineTopic } from './topic';

export const WorkspaceMembershipChangedSchema = z.object({
  workspaceId: IdSchema,
  userId: IdSchema,
  /** joined: accepted an invitation (or created the workspace); left: left it or was removed by an owner. */
  change: z.enum(['joined', 'left']),
  changedAt: TimestampSchema,
});
export type WorkspaceMembershipChanged = z.infer<typeof WorkspaceMembershipChangedSchema>;

export const WorkspaceMembershipTopic = defineTopic({
  name: 'chat.workspace.membership.v1',
  partitions: 6,
  key: 'userId',
  schema: WorkspaceMembershipChangedSchema,
  description:
    "A user joined or left a workspace (messaging). presence scopes who sees whose status by it; gateways move the user's sockets out of the workspace room. The user's channel leaves come on chat.channel.membership.v1 before it.",
});
