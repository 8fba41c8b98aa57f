import { z } from 'zod';

/** Configuration of file attachments, spread into MessagingConfigSchema. */
export const MessagingFilesEnv = {
  /**
   * How long a send naming a file that messaging does not know as ready yet waits for the
   * chat.file.changed.v1 projection to catch up (a file completed a moment ago) before refusing.
   * The wait holds the channel's command partition, so keep it short.
   */
  FILE_PROJECTION_WAIT_MS: z.coerce.number().int().min(0).max(10_000).default(1000),
};
