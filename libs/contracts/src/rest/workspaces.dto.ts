import { z } from 'zod';
import { IdSchema, UsernameSchema } from '../common';
import { ChannelNameSchema, ChannelSchema, ChannelSummarySchema } from '../domain/channel';
import { WorkspaceInvitationSchema, WorkspaceNameSchema, WorkspaceSchema } from '../domain/workspace';

export const CreateWorkspaceRequestSchema = z.object({ name: WorkspaceNameSchema });
export type CreateWorkspaceRequest = z.infer<typeof CreateWorkspaceRequestSchema>;

export const WorkspaceResponseSchema = z.object({ workspace: WorkspaceSchema });
export const WorkspaceListResponseSchema = z.object({ workspaces: z.array(WorkspaceSchema) });

export const AddWorkspaceMemberRequestSchema = z.union([
  z.object({ userId: IdSchema }).strict(),
  z.object({ username: UsernameSchema }).strict(),
]);
export type AddWorkspaceMemberRequest = z.infer<typeof AddWorkspaceMemberRequestSchema>;

/** Who to invite: `POST /api/workspaces/:id/invitations` (and its older name `POST .../members`). */
export const InviteToWorkspaceRequestSchema = AddWorkspaceMemberRequestSchema;
export type InviteToWorkspaceRequest = AddWorkspaceMemberRequest;

export const InvitationResponseSchema = z.object({ invitation: WorkspaceInvitationSchema });
export const InvitationListResponseSchema = z.object({ invitations: z.array(WorkspaceInvitationSchema) });

/** `DELETE /api/workspaces/:id/members/:userId`: `me` (or the caller's own id) leaves. */
export const WorkspaceMemberRefSchema = z.union([z.literal('me'), IdSchema]);

export const CreateChannelRequestSchema = z.object({
  name: ChannelNameSchema,
  private: z.boolean().optional(),
});
export type CreateChannelRequest = z.infer<typeof CreateChannelRequestSchema>;

export const ChannelResponseSchema = z.object({ channel: ChannelSchema });
export const ChannelListResponseSchema = z.object({ channels: z.array(ChannelSummarySchema) });

export const CreateDmRequestSchema = z.object({
  userIds: z.array(IdSchema).min(1).max(8).describe('the other members; the caller is added'),
});
export type CreateDmRequest = z.infer<typeof CreateDmRequestSchema>;

export const AddChannelMemberRequestSchema = z.object({ userId: IdSchema });
export type AddChannelMemberRequest = z.infer<typeof AddChannelMemberRequestSchema>;
