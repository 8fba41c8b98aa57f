// Checks the fileIds of a `message.send` against the attachable_files projection: each must be a
// ready file owned by the sender. A file not (yet) known as ready is waited for a little
// (FILE_PROJECTION_WAIT_MS: a file completed a moment ago may not be projected yet); then an
// unknown file is not_found, someone else's file forbidden, a file still uploading conflict.
// Once the message is stored, each attached file is announced on chat.file.shared.v1, which is
// how files learns that the channel's members may download it.
import { Inject, Injectable } from '@nestjs/common';
import { fileThumbnailPath, type Message, type MessageFile } from '@chat/contracts';
import { APP_CONFIG, AppError } from '@chat/service-kit';
import { Clock } from '../common/clock';
import { type MessagingConfig } from '../config';
import { type AttachableFile, AttachableFilesRepository } from './attachable-files.repository';
import { FileSharesPublisher } from './file-shares.publisher';

const POLL_MS = 50;

@Injectable()
export class AttachmentsService {
  constructor(
    private readonly files: AttachableFilesRepository,
    private readonly shares: FileSharesPublisher,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: Pick<MessagingConfig, 'FILE_PROJECTION_WAIT_MS'>,
  ) {}

  /** The files a message of `senderId` may carry, in the order named (duplicates dropped). */
  async resolve(senderId: string, fileIds: readonly string[] | undefined): Promise<MessageFile[]> {
    if (!fileIds?.length) return [];
    const ids = [...new Set(fileIds)];
    const deadline = this.clock.now().getTime() + this.config.FILE_PROJECTION_WAIT_MS;
    for (;;) {
      const found = await Promise.all(ids.map((id) => this.files.get(id)));
      const foreign = found.find((file) => file !== undefined && file.ownerId !== senderId);
      if (foreign) throw new AppError('forbidden', `file ${foreign.id} is not yours to attach`);
      if (found.every((file) => file?.status === 'ready')) return (found as AttachableFile[]).map(toMessageFile);
      if (this.clock.now().getTime() >= deadline) {
        const missing = ids.find((_, i) => found[i] === undefined);
        if (missing) throw new AppError('not_found', `file ${missing} not found`);
        const pending = ids.find((_, i) => found[i]?.status !== 'ready');
        throw new AppError('conflict', `file ${pending} is not ready: complete its upload first`);
      }
      await this.clock.sleep(POLL_MS);
    }
  }

  /** Tells files that the channel's members may now download the message's files. */
  async announceShares(message: Message): Promise<void> {
    await this.shares.shared(message);
  }
}

export function toMessageFile(file: Pick<AttachableFile, 'id' | 'name' | 'contentType' | 'size' | 'hasThumbnail'>): MessageFile {
  return {
    id: file.id,
    name: file.name,
    contentType: file.contentType,
    size: file.size,
    ...(file.hasThumbnail ? { thumbnailUrl: fileThumbnailPath(file.id) } : {}),
  };
}
