import { z } from 'zod';
import { IdSchema, LIMITS } from '../common';
import { MessageSchema } from '../domain/message';

const seqParam = z.coerce.number().int().nonnegative();

/** `?before=SEQ&limit=N` (newest first) or `?after=SEQ&limit=N` (oldest first); neither = latest page. */
export const HistoryQuerySchema = z
  .object({
    before: seqParam.optional(),
    after: seqParam.optional(),
    limit: z.coerce.number().int().min(1).max(LIMITS.historyPageMax).default(LIMITS.historyPageDefault),
  })
  .refine((q) => q.before === undefined || q.after === undefined, {
    message: 'give before or after, not both',
  });
export type HistoryQuery = z.infer<typeof HistoryQuerySchema>;

export const HistoryResponseSchema = z.object({
  messages: z.array(MessageSchema),
  hasMore: z.boolean(),
});
export type HistoryResponse = z.infer<typeof HistoryResponseSchema>;

export const ThreadQuerySchema = z.object({
  after: seqParam.optional(),
  limit: z.coerce.number().int().min(1).max(LIMITS.historyPageMax).default(LIMITS.historyPageDefault),
});
export type ThreadQuery = z.infer<typeof ThreadQuerySchema>;

export const ThreadResponseSchema = z.object({
  root: MessageSchema,
  replies: z.array(MessageSchema),
  hasMore: z.boolean(),
});
export type ThreadResponse = z.infer<typeof ThreadResponseSchema>;

/** `POST /api/sync`: the REST twin of the socket `sync` (the gateway answers `sync` with it). */
export { SyncPayloadSchema as SyncRequestSchema } from '../socket/payloads';
export const SyncResponseSchema = HistoryResponseSchema;

/** `GET /api/me/memberships`: what a connecting socket must be joined to. */
export const MembershipsResponseSchema = z.object({
  workspaceIds: z.array(IdSchema),
  channelIds: z.array(IdSchema),
});
export type MembershipsResponse = z.infer<typeof MembershipsResponseSchema>;
