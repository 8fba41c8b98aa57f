import { z } from 'zod';
import { FileMetaSchema } from '../domain/file';

export const CreateFileRequestSchema = z.object({
  name: z.string().trim().min(1).max(255),
  contentType: z.string().trim().min(3).max(127).regex(/^[\w.+-]+\/[\w.+-]+$/, 'must be a MIME type'),
  size: z.number().int().positive(),
});
export type CreateFileRequest = z.infer<typeof CreateFileRequestSchema>;

export const CreateFileResponseSchema = z.object({
  file: FileMetaSchema,
  upload: z.object({
    url: z.string(),
    method: z.literal('PUT'),
    headers: z.record(z.string(), z.string()),
  }),
});

export const FileResponseSchema = z.object({ file: FileMetaSchema });
