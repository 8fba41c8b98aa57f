// Checks the fileIds of a `message.send` against the attachable_files projection: each must be a
// ready file owned by the sender. A file not (yet) known as ready is waited for a little
// (FILE_PROJECTION_WAIT_MS: a file completed a moment ago may not be projected yet); then an
// unknown file is not_found, someone else's file forbidden, a file still uploading conflict.
// The wait holds the send's channel (its commands run one at a time until a send has its seq), so
// a sender whose wait ended without the files gets no wait again for WAIT_COOLDOWN_FACTOR waits'
// time: sends naming random ids are refused at once instead of piling up behind one another in
// the channel (and, past the sequencer's in-flight bound, holding the partition's other channels).
// Once the message is stored, each attached file is announced on chat.file.shared.v1, which is
// how files learns that the channel's members may download it.
import { Inject, Injectable } from '@nestjs/common';
import { fileThumbnailPath, type Message, type MessageFile } from '@chat/contracts';
import { APP_CONFIG, AppError } from '@chat/service-kit';
import { Clock } from '../common/clock';
import { LruMap } from '../common/lru-map';
import { type MessagingConfig } from '../config';
import { type AttachableFile, AttachableFilesRepository } from './attachable-files.repository';
import { FileSharesPublisher } from './file-shares.publisher';

const POLL_MS = 50;
/** After a wait that ended without the files, the sender's sends wait for none for this many waits' time. */
export const WAIT_COOLDOWN_FACTOR = 10;
/** Senders remembered in cooldown (least recently refused first out). */
const COOLDOWN_SENDERS = 10_000;

@Injectable()
export class AttachmentsService {
  /** senderId -> time (ms) until which that sender's unknown files are not waited for. */
  private readonly noWaitUntil = new LruMap<string, number>(COOLDOWN_SENDERS);

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
    const start = this.clock.now().getTime();
    const waits = (this.noWaitUntil.get(senderId) ?? 0) <= start;
    const deadline = waits ? start + this.config.FILE_PROJECTION_WAIT_MS : start;
    for (;;) {
      const found = await Promise.all(ids.map((id) => this.files.get(id)));
      const foreign = found.find((file) => file !== undefined && file.ownerId !== senderId);
      if (foreign) throw new AppError('forbidden', `file ${foreign.id} is not yours to attach`);
      if (found.every((file) => file?.status === 'ready')) return (found as AttachableFile[]).map(toMessageFile);
      const now = this.clock.now().getTime();
      if (now >= deadline) {
        if (waits) this.noWaitUntil.set(senderId, now + WAIT_COOLDOWN_FACTOR * this.config.FILE_PROJECTION_WAIT_MS);
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
