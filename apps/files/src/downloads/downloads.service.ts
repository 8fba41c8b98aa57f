// Downloads never pass through files either: a caller allowed to read a file (its owner, or a
// member of a channel it was shared in) gets a short-lived presigned GET. Anyone else, and any
// file that is not ready, gets not_found: existence is not revealed.
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@chat/service-kit';
import { type FilesConfig } from '../config';
import { AccessRepository } from '../metadata/access.repository';
import { originalKey, THUMBNAIL_CONTENT_TYPE, thumbnailKey } from '../metadata/file-keys';
import { FilesRepository } from '../metadata/files.repository';
import { ObjectStorage } from '../storage/object-storage';
import { nameForType } from '../uploads/file-names';
import { notFound } from '../uploads/uploads.service';

@Injectable()
export class DownloadsService {
  constructor(
    private readonly files: FilesRepository,
    private readonly access: AccessRepository,
    private readonly storage: ObjectStorage,
    @Inject(APP_CONFIG) private readonly config: Pick<FilesConfig, 'FILES_DOWNLOAD_URL_TTL_SECONDS'>,
  ) {}

  /** Where the caller can fetch the file's bytes. */
  async fileUrl(callerId: string, fileId: string): Promise<string> {
    const file = await this.files.get(fileId);
    if (!file || file.status !== 'ready' || !(await this.access.mayRead(fileId, callerId))) throw notFound(fileId);
    // Names are fixed on upload; rows from before that rule get the same treatment here.
    return this.storage.signDownload(originalKey(file.id), nameForType(file.name, file.contentType), file.contentType, this.config.FILES_DOWNLOAD_URL_TTL_SECONDS);
  }

  /** Where the caller can fetch the file's thumbnail (not_found until it is made). */
  async thumbnailUrl(callerId: string, fileId: string): Promise<string> {
    const file = await this.files.get(fileId);
    if (!file || file.status !== 'ready' || file.thumbnail !== 'ready' || !(await this.access.mayRead(fileId, callerId))) throw notFound(fileId);
    const name = `${file.name.replace(/\.[^.]*$/, '')}.thumbnail.webp`;
    return this.storage.signDownload(thumbnailKey(file.id), name, THUMBNAIL_CONTENT_TYPE, this.config.FILES_DOWNLOAD_URL_TTL_SECONDS);
  }
}
