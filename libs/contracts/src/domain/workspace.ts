import { z } from 'zod';
import { IdSchema, TimestampSchema } from '../common';

export const WorkspaceRoleSchema = z.enum(['owner', 'member']);
export type WorkspaceRole = z.infer<typeof WorkspaceRoleSchema>;

export const WorkspaceSchema = z.object({
  id: IdSchema,
  name: z.string(),
  createdBy: IdSchema,
  createdAt: TimestampSchema,
  role: WorkspaceRoleSchema.optional().describe("the caller's role, when listed for a caller"),
});
export type Workspace = z.infer<typeof WorkspaceSchema>;

export const WorkspaceNameSchema = z.string().trim().min(1).max(80);

/** A pending invitation: the invitee becomes a member only by accepting it. */
export const WorkspaceInvitationSchema = z.object({
  workspaceId: IdSchema,
  workspaceName: z.string(),
  userId: IdSchema.describe('the invitee'),
  invitedBy: IdSchema,
  createdAt: TimestampSchema,
});
export type WorkspaceInvitation = z.infer<typeof WorkspaceInvitationSchema>;
