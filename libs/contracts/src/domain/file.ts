import { z } from 'zod';
import { IdSchema, TimestampSchema } from '../common';

export const FileStatusSchema = z.enum(['pending', 'ready']);

export const FileMetaSchema = z.object({
  id: IdSchema,
  ownerId: IdSchema,
  name: z.string(),
  contentType: z.string(),
  size: z.number().int().nonnegative(),
  status: FileStatusSchema,
  checksum: z.string().nullable(),
  thumbnailUrl: z.string().optional(),
  createdAt: TimestampSchema,
});
export type FileMeta = z.infer<typeof FileMetaSchema>;
