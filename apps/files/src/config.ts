import { z } from 'zod';
import { BaseConfigSchema, jwksEnv, KafkaEnv, PortSchema, postgresEnv, S3Env, UrlSchema } from '@chat/service-kit';
import { SNIFFABLE_TYPES } from './uploads/content-sniffer';

const seconds = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const FilesConfigSchema = BaseConfigSchema.extend({
  PORT: PortSchema.default(3004),
  ...KafkaEnv,
  ...postgresEnv('chat_files'),
  ...S3Env,
  ...jwksEnv(),
  /**
   * The S3 endpoint as browsers reach it, used only to sign upload and download URLs (the service
   * itself talks to S3_ENDPOINT). Unset: S3_ENDPOINT (or AWS when that is unset too).
   */
  S3_PUBLIC_ENDPOINT: UrlSchema(['http', 'https']).optional(),
  /** Largest upload, in bytes (default 25 MiB). */
  FILES_MAX_SIZE_BYTES: z.coerce.number().int().min(1).max(5 * 1024 ** 3).default(25 * 1024 * 1024),
  /** Content types that may be uploaded: each must be one whose bytes files can recognise. */
  FILES_ALLOWED_TYPES: z
    .string()
    .transform((s) => s.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean))
    .pipe(z.array(z.enum(SNIFFABLE_TYPES, { error: `must be a comma-separated list of: ${SNIFFABLE_TYPES.join(', ')}` })).min(1))
    .default([...SNIFFABLE_TYPES]),
  /** How long a presigned upload (PUT) URL is valid. */
  FILES_UPLOAD_URL_TTL_SECONDS: seconds(1, 7 * 24 * 3600).default(900),
  /** How long a presigned download (GET) URL is valid. */
  FILES_DOWNLOAD_URL_TTL_SECONDS: seconds(1, 7 * 24 * 3600).default(300),
  /** An upload not completed within this time is abandoned: the cleanup job deletes it. */
  FILES_ABANDONED_AFTER_SECONDS: seconds(1, 30 * 24 * 3600).default(24 * 3600),
  /** How often the cleanup job looks for abandoned uploads. */
  FILES_CLEANUP_INTERVAL_SECONDS: seconds(1, 24 * 3600).default(300),
  /** Thumbnails fit inside a square of this many pixels (aspect ratio kept, never enlarged). */
  FILES_THUMBNAIL_SIZE: z.coerce.number().int().min(16).max(2048).default(320),
  /** Consumer groups are `<group>.thumbnails`, `<group>.shares`, `<group>.members`. */
  FILES_CONSUMER_GROUP: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be 1-100 letters, digits, ".", "_" or "-"').default('files'),
}).refine((c) => c.FILES_ABANDONED_AFTER_SECONDS >= c.FILES_UPLOAD_URL_TTL_SECONDS, {
  path: ['FILES_ABANDONED_AFTER_SECONDS'],
  message: 'must be at least FILES_UPLOAD_URL_TTL_SECONDS (an upload URL must not outlive its metadata)',
});
export type FilesConfig = z.infer<typeof FilesConfigSchema>;
