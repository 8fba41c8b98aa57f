import { z } from 'zod';
import { IdSchema, SeqSchema, TimestampSchema } from '../common';

export const ChannelKindSchema = z.enum(['public', 'private', 'dm']);
export type ChannelKind = z.infer<typeof ChannelKindSchema>;

/** Channel names: lower-case slugs like Slack's. */
export const ChannelNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(80)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be lower-case letters, digits, ".", "_" or "-"');

export const ChannelSchema = z.object({
  id: IdSchema,
  workspaceId: IdSchema,
  kind: ChannelKindSchema,
  name: z.string().describe('channel name; for DMs a name derived from the members'),
  private: z.boolean(),
  memberIds: z.array(IdSchema).optional().describe('DM and group-DM members'),
  createdBy: IdSchema,
  createdAt: TimestampSchema,
});
export type Channel = z.infer<typeof ChannelSchema>;

/** A channel as listed for one caller: with that caller's read state. */
export const ChannelSummarySchema = ChannelSchema.extend({
  member: z.boolean(),
  unread: z.number().int().nonnegative(),
  mentions: z.number().int().nonnegative(),
  lastSeq: SeqSchema,
  readSeq: SeqSchema,
});
export type ChannelSummary = z.infer<typeof ChannelSummarySchema>;
