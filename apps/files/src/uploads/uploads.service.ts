// Uploads go straight from the client to the object store through a presigned PUT; this service
// only decides whether an upload may start and, on `complete`, whether what arrived is what was
// declared. The client writes uploads/<id>; `complete` copies it to files/<id>, a key no client can
// write, and checks that copy: it must have the declared size and its first bytes must show the
// declared type. So the bytes checked are the bytes served, however long the upload URL stays
// valid. Anything else is deleted (objects and metadata) and answered `invalid`.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { type CreateFileRequest, type FileMeta } from '@chat/contracts';
import { APP_CONFIG, AppError } from '@chat/service-kit';
import { Clock } from '../common/clock';
import { IdGenerator } from '../common/id-generator';
import { type FilesConfig } from '../config';
import { FileEventsPublisher } from '../metadata/file-events.publisher';
import { originalKey, uploadKey } from '../metadata/file-keys';
import { toFileMeta } from '../metadata/file-meta';
import { type FileRecord, FilesRepository, type LockedPendingFile } from '../metadata/files.repository';
import { ObjectStorage, type SignedUpload } from '../storage/object-storage';
import { matchesDeclaredType, SNIFF_BYTES, THUMBNAIL_TYPES } from './content-sniffer';
import { nameForType } from './file-names';

export type UploadsConfig = Pick<
  FilesConfig,
  'FILES_MAX_SIZE_BYTES' | 'FILES_ALLOWED_TYPES' | 'FILES_UPLOAD_URL_TTL_SECONDS' | 'FILES_ABANDONED_AFTER_SECONDS'
>;

type CheckOutcome = { ready: FileRecord } | { refused: string };

export interface StartedUpload {
  file: FileMeta;
  upload: SignedUpload & { method: 'PUT' };
}

@Injectable()
export class UploadsService {
  private readonly logger = new Logger(UploadsService.name);

  constructor(
    private readonly files: FilesRepository,
    private readonly storage: ObjectStorage,
    private readonly events: FileEventsPublisher,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: UploadsConfig,
  ) {}

  /** `POST /api/files`: checks the declaration, records a pending file, signs its upload. */
  async start(ownerId: string, request: CreateFileRequest): Promise<StartedUpload> {
    const contentType = request.contentType.toLowerCase();
    if (request.size > this.config.FILES_MAX_SIZE_BYTES) {
      throw new AppError('too_large', `a file may have at most ${this.config.FILES_MAX_SIZE_BYTES} bytes`);
    }
    if (!(this.config.FILES_ALLOWED_TYPES as readonly string[]).includes(contentType)) {
      throw new AppError('invalid', `files of type ${contentType} are not accepted (allowed: ${this.config.FILES_ALLOWED_TYPES.join(', ')})`);
    }
    const id = this.ids.newId();
    // Metadata first: an upload URL never exists for a file the cleanup job does not know.
    const name = nameForType(request.name, contentType);
    const file = await this.files.insert({ id, ownerId, name, contentType, size: request.size, createdAt: this.clock.now() });
    const upload = await this.storage.signUpload(uploadKey(id), contentType, request.size, this.config.FILES_UPLOAD_URL_TTL_SECONDS);
    try {
      await this.events.changed(file, 'pending');
    } catch (error) {
      // Kafka is away: the caller gets no upload URL, so the file must not exist either, or files
      // would hold a pending file that messaging's projection never hears of (until the cleanup).
      await this.files.deletePending(id).catch((cleanup: unknown) => this.logger.warn({ err: cleanup, fileId: id }, 'could not remove an unannounced upload; the cleanup job will'));
      throw error;
    }
    return { file: toFileMeta(file), upload: { ...upload, method: 'PUT' } };
  }

  /**
   * `POST /api/files/:id/complete`. Idempotent: completing a ready file answers it again (and
   * announces it again, in case the first announcement was lost).
   */
  async complete(callerId: string, fileId: string): Promise<FileMeta> {
    const file = await this.files.get(fileId);
    if (!file || file.ownerId !== callerId) throw notFound(fileId);
    if (file.status === 'ready') {
      await this.events.changed(file, 'ready');
      return toFileMeta(file);
    }
    // One complete at a time per file: a second waits, then finds it ready (or gone).
    const outcome = await this.files.withLockedPending(fileId, this.config.FILES_ABANDONED_AFTER_SECONDS, (locked, tx) => this.check(locked, tx));
    if (!outcome.found) {
      // Completed meanwhile by another call, or abandoned and being cleaned up.
      const now = await this.files.get(fileId);
      if (now?.status === 'ready') return toFileMeta(now);
      throw notFound(fileId);
    }
    if ('refused' in outcome.result) {
      await this.events.changed(file, 'deleted');
      throw new AppError('invalid', outcome.result.refused);
    }
    const ready = outcome.result.ready;
    // The checked copy is what is served; the upload is not needed any more.
    await this.storage.delete(uploadKey(fileId)).catch((error: unknown) => this.logger.warn({ err: error, fileId }, 'could not delete a completed upload'));
    await this.events.changed(ready, 'ready');
    return toFileMeta(ready);
  }

  /** Copies the upload where clients cannot write and checks the copy; runs with the file's row locked. */
  private async check(file: FileRecord, locked: LockedPendingFile): Promise<CheckOutcome> {
    const uploaded = await this.storage.head(uploadKey(file.id));
    if (!uploaded) throw new AppError('invalid', 'nothing was uploaded for this file yet: PUT it to the upload URL first');
    if (uploaded.size !== file.size) return this.refuse(file, locked, `the upload has ${uploaded.size} bytes, not the ${file.size} declared; it was deleted`);
    const key = originalKey(file.id);
    await this.storage.copy(uploadKey(file.id), key);
    // Checked again on the copy: the client may have replaced the upload since the first look.
    const stored = await this.storage.head(key);
    if (!stored || stored.size !== file.size) {
      return this.refuse(file, locked, `the upload has ${stored?.size ?? 0} bytes, not the ${file.size} declared; it was deleted`);
    }
    const head = await this.storage.readHead(key, Math.min(SNIFF_BYTES, Math.max(file.size, 1)));
    if (!matchesDeclaredType(file.contentType, head, file.size)) {
      return this.refuse(file, locked, `the upload is not of the declared type ${file.contentType}; it was deleted`);
    }
    const thumbnail = THUMBNAIL_TYPES.has(file.contentType) ? 'pending' : null;
    return { ready: await locked.markReady(stored.etag ?? null, thumbnail) };
  }

  /** Deletes a refused upload: objects first, then metadata (the caller announces it). */
  private async refuse(file: FileRecord, locked: LockedPendingFile, reason: string): Promise<CheckOutcome> {
    this.logger.log({ fileId: file.id }, 'refused an upload that does not match its declaration');
    await Promise.all([this.storage.delete(uploadKey(file.id)), this.storage.delete(originalKey(file.id))]);
    await locked.delete();
    return { refused: reason };
  }
}

export function notFound(fileId: string): AppError {
  return new AppError('not_found', `file ${fileId} not found`);
}
