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

/** Where a file's thumbnail is served (relative to the origin); listed only for thumbnailable images. */
export function fileThumbnailPath(fileId: string): string {
  return `/api/files/${fileId}/thumbnail`;
}
