import { z } from 'zod';

/** Configuration of file attachments, spread into MessagingConfigSchema. */
export const MessagingFilesEnv = {
  /**
   * How long a send naming a file that messaging does not know as ready yet waits for the
   * chat.file.changed.v1 projection to catch up (a file completed a moment ago) before refusing.
   * The wait holds the send's channel, so keep it short; a sender whose wait ended without the
   * files is not waited for again for 10 times this long (AttachmentsService).
   */
  FILE_PROJECTION_WAIT_MS: z.coerce.number().int().min(0).max(10_000).default(1000),
};
