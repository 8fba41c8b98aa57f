import { z } from 'zod';
import { IdSchema, SeqSchema, TimestampSchema } from '../common';

export const ReactionSchema = z.object({
  emoji: z.string(),
  count: z.number().int().positive(),
  userIds: z.array(IdSchema),
});
export type Reaction = z.infer<typeof ReactionSchema>;

export const MessageFileSchema = z.object({
  id: IdSchema,
  name: z.string(),
  contentType: z.string(),
  size: z.number().int().nonnegative(),
  thumbnailUrl: z.string().optional(),
});
export type MessageFile = z.infer<typeof MessageFileSchema>;

/** A stored message as every client sees it (PROTOCOL.md `Message`). */
export const MessageSchema = z.object({
  id: IdSchema,
  channelId: IdSchema,
  seq: SeqSchema.describe('per-channel order: 1, 2, 3, ... with no gaps'),
  senderId: IdSchema,
  clientMsgId: IdSchema,
  text: z.string(),
  createdAt: TimestampSchema,
  editedAt: TimestampSchema.optional(),
  deleted: z.boolean().optional(),
  threadId: IdSchema.optional(),
  replyCount: z.number().int().nonnegative().optional(),
  lastReplyAt: TimestampSchema.optional(),
  mentions: z.array(z.string()).optional().describe('mentioned user ids, or "channel"'),
  files: z.array(MessageFileSchema).optional(),
  reactions: z.array(ReactionSchema).optional(),
});
export type Message = z.infer<typeof MessageSchema>;
