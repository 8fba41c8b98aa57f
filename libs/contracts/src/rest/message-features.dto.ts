// REST DTOs of pins and search (issue 9; additions to PROTOCOL v1).
import { z } from 'zod';
import { IdSchema, TimestampSchema } from '../common';
import { MessageSchema } from '../domain/message';

/** `POST /api/channels/:id/pins`. */
export const PinRequestSchema = z.object({ messageId: IdSchema });
export type PinRequest = z.infer<typeof PinRequestSchema>;

export const PinSchema = z.object({
  message: MessageSchema,
  pinnedBy: IdSchema,
  pinnedAt: TimestampSchema,
});
export type Pin = z.infer<typeof PinSchema>;

export const PinResponseSchema = z.object({ pin: PinSchema });
export type PinResponse = z.infer<typeof PinResponseSchema>;

/** `GET /api/channels/:id/pins`: newest pin first. */
export const PinsResponseSchema = z.object({ pins: z.array(PinSchema) });
export type PinsResponse = z.infer<typeof PinsResponseSchema>;

export const SEARCH_LIMITS = { queryMax: 200, termsMax: 8, pageMax: 50, pageDefault: 20 } as const;

/**
 * `GET /api/search?q=...`: words of `q` must all occur in a message (case and accents ignored);
 * `channelId` limits to one channel, `from` to one sender, `before`/`after` to a creation-time window.
 */
export const SearchQuerySchema = z
  .object({
    q: z.string().trim().min(1).max(SEARCH_LIMITS.queryMax),
    channelId: IdSchema.optional(),
    from: IdSchema.optional(),
    before: TimestampSchema.optional(),
    after: TimestampSchema.optional(),
    limit: z.coerce.number().int().min(1).max(SEARCH_LIMITS.pageMax).default(SEARCH_LIMITS.pageDefault),
  })
  .refine((q) => q.before === undefined || q.after === undefined || q.after < q.before, { message: 'after must be earlier than before' });
export type SearchQuery = z.infer<typeof SearchQuerySchema>;

export const SearchHitSchema = z.object({
  message: MessageSchema,
  score: z.number().nonnegative().describe('relevance: higher is better; ties are broken by recency'),
});
export type SearchHit = z.infer<typeof SearchHitSchema>;

export const SearchResponseSchema = z.object({ results: z.array(SearchHitSchema) });
export type SearchResponse = z.infer<typeof SearchResponseSchema>;
