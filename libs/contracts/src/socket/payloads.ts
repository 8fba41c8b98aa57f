// Client-to-server Socket.IO payloads. The gateway validates each against these before anything
// else happens; a failure is answered with `invalid` and the connection stays open.
import { z } from 'zod';
import { IdSchema, LIMITS, SeqSchema } from '../common';
import { isReactionEmoji } from '../domain/emoji';

export const MessageTextSchema = z
  .string()
  .max(LIMITS.messageTextMax, `must be at most ${LIMITS.messageTextMax} characters`)
  .refine((t) => t.trim().length > 0, 'must not be empty');

export const SendMessagePayloadSchema = z.object({
  channelId: IdSchema,
  clientMsgId: IdSchema,
  text: MessageTextSchema,
  threadId: IdSchema.optional(),
  fileIds: z.array(IdSchema).max(LIMITS.fileIdsMax).optional(),
});
export type SendMessagePayload = z.infer<typeof SendMessagePayloadSchema>;

export const EditMessagePayloadSchema = z.object({
  channelId: IdSchema,
  messageId: IdSchema,
  text: MessageTextSchema,
});
export type EditMessagePayload = z.infer<typeof EditMessagePayloadSchema>;

export const DeleteMessagePayloadSchema = z.object({ channelId: IdSchema, messageId: IdSchema });
export type DeleteMessagePayload = z.infer<typeof DeleteMessagePayloadSchema>;

export const ReactionPayloadSchema = z.object({
  channelId: IdSchema,
  messageId: IdSchema,
  emoji: z
    .string()
    .min(1)
    .max(64)
    .refine(isReactionEmoji, 'must be one Unicode emoji or a :shortcode: from the supported list'),
});
export type ReactionPayload = z.infer<typeof ReactionPayloadSchema>;

export const ReadPayloadSchema = z.object({ channelId: IdSchema, seq: SeqSchema });
export type ReadPayload = z.infer<typeof ReadPayloadSchema>;

export const SyncPayloadSchema = z.object({
  channels: z
    .array(z.object({ channelId: IdSchema, afterSeq: SeqSchema }))
    .min(1)
    .max(LIMITS.syncChannelsMax),
  limit: z.number().int().min(1).max(1000).optional(),
});
export type SyncPayload = z.infer<typeof SyncPayloadSchema>;

export const TypingPayloadSchema = z.object({ channelId: IdSchema });
export type TypingPayload = z.infer<typeof TypingPayloadSchema>;

export const EmptyPayloadSchema = z.object({}).optional();

/**
 * `auth:refresh` (an addition to PROTOCOL v1): hands a connected socket the client's new access
 * token, so calls the gateway makes on the user's behalf (`sync`) keep working past the expiry of
 * the token the socket connected with. The token must be valid and belong to the same user.
 */
export const AuthRefreshPayloadSchema = z.object({ token: z.string().min(1).max(4096) });
export type AuthRefreshPayload = z.infer<typeof AuthRefreshPayloadSchema>;
