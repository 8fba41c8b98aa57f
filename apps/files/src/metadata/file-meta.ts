import { type FileMeta, fileThumbnailPath } from '@chat/contracts';
import { type FileRecord } from './files.repository';

/** A file as clients see it. The thumbnail URL is listed for images that get one. */
export function toFileMeta(file: FileRecord): FileMeta {
  return {
    id: file.id,
    ownerId: file.ownerId,
    name: file.name,
    contentType: file.contentType,
    size: file.size,
    status: file.status,
    checksum: file.checksum,
    ...(file.thumbnail === 'pending' || file.thumbnail === 'ready' ? { thumbnailUrl: fileThumbnailPath(file.id) } : {}),
    createdAt: file.createdAt.toISOString(),
  };
}
