import { z } from 'zod';
import { IdSchema, TimestampSchema } from '../common';
import { defineTopic } from './topic';

/** A file's descriptor as other services keep it (no bytes, no URLs). */
export const FileChangedEventSchema = z.object({
  file: z.object({
    id: IdSchema,
    ownerId: IdSchema,
    name: z.string(),
    contentType: z.string(),
    size: z.number().int().nonnegative(),
    /** pending: upload started; ready: verified and usable; deleted: abandoned or refused. */
    status: z.enum(['pending', 'ready', 'deleted']),
    /** Whether files makes a thumbnail of it (an image type it can decode). */
    hasThumbnail: z.boolean(),
  }),
  changedAt: TimestampSchema,
});
export type FileChangedEvent = z.infer<typeof FileChangedEventSchema>;

export const FileChangedTopic = defineTopic({
  name: 'chat.file.changed.v1',
  partitions: 6,
  key: 'fileId',
  schema: FileChangedEventSchema,
  description:
    'An upload started, became ready or was deleted (files). messaging projects ready files to check attachments; files itself makes thumbnails of ready images.',
});

export const FileSharedEventSchema = z.object({
  fileId: IdSchema,
  channelId: IdSchema,
  messageId: IdSchema,
  sharedBy: IdSchema,
  sharedAt: TimestampSchema,
  /**
   * `revoked`: the message was deleted, so this share no longer lets anyone download the file.
   * Absent means `shared` (records written before revocations existed).
   */
  change: z.enum(['shared', 'revoked']).optional(),
});
export type FileSharedEvent = z.infer<typeof FileSharedEventSchema>;

export const FileSharedTopic = defineTopic({
  name: 'chat.file.shared.v1',
  partitions: 6,
  key: 'fileId',
  schema: FileSharedEventSchema,
  description:
    'A file was attached to a stored message, or that message was deleted (`change: revoked`) (messaging). files lets the members of the channels of live shares download it.',
});
