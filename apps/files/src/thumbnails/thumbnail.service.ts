// Makes the thumbnail of a ready image, after `complete` answered (driven by chat.file.changed.v1):
// decoded with sharp, turned upright (EXIF), fitted inside FILES_THUMBNAIL_SIZE² without
// enlarging, encoded as WebP and stored beside the original. An image sharp cannot decode gets
// thumbnail = failed (retrying would fail the same way); storage errors propagate so the consumer
// retries. Making it again (a replayed event) overwrites the same object with the same bytes.
import { Inject, Injectable, Logger } from '@nestjs/common';
import sharp from 'sharp';
import { APP_CONFIG } from '@chat/service-kit';
import { type FilesConfig } from '../config';
import { originalKey, THUMBNAIL_CONTENT_TYPE, thumbnailKey } from '../metadata/file-keys';
import { FilesRepository } from '../metadata/files.repository';
import { ObjectStorage } from '../storage/object-storage';

@Injectable()
export class ThumbnailService {
  private readonly logger = new Logger(ThumbnailService.name);

  constructor(
    private readonly files: FilesRepository,
    private readonly storage: ObjectStorage,
    @Inject(APP_CONFIG) private readonly config: Pick<FilesConfig, 'FILES_THUMBNAIL_SIZE'>,
  ) {}

  async make(fileId: string): Promise<void> {
    const file = await this.files.get(fileId);
    if (!file || file.status !== 'ready' || file.thumbnail === null || file.thumbnail === 'ready') return;
    const original = await this.storage.read(originalKey(fileId));
    let thumbnail: Buffer;
    try {
      thumbnail = await render(original, this.config.FILES_THUMBNAIL_SIZE);
    } catch (error) {
      this.logger.warn({ fileId, err: error }, 'could not make a thumbnail: the image does not decode');
      await this.files.setThumbnail(fileId, 'failed');
      return;
    }
    await this.storage.write(thumbnailKey(fileId), thumbnail, THUMBNAIL_CONTENT_TYPE);
    await this.files.setThumbnail(fileId, 'ready');
  }
}

/** The WebP thumbnail of an image: upright, inside size×size, never enlarged. */
export async function render(image: Buffer, size: number): Promise<Buffer> {
  return sharp(image, { failOn: 'error', limitInputPixels: 100_000_000 })
    .rotate()
    .resize(size, size, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 80 })
    .toBuffer();
}
