// A message's files as stored in its row: list<frozen<message_file>> (see 0007-file-attachments.cql).
import { type MessageFile } from '@chat/contracts';
import { big, numberOf, uuidOf } from '../common/cql-values';
import { toMessageFile } from './attachments.service';

/** The bind value of the `files` column (null for a message without files). */
export function fileCells(files: readonly MessageFile[] | undefined): object[] | null {
  if (!files?.length) return null;
  return files.map((f) => ({ id: f.id, name: f.name, content_type: f.contentType, size: big(f.size), has_thumbnail: f.thumbnailUrl !== undefined }));
}

/** The message's files from its `files` cell, or undefined when it has none. */
export function messageFilesOf(cell: unknown): MessageFile[] | undefined {
  if (!Array.isArray(cell) || cell.length === 0) return undefined;
  return cell.map((value: Record<string, unknown>) =>
    toMessageFile({
      id: uuidOf(value.id),
      name: String(value.name),
      contentType: String(value.content_type),
      size: numberOf(value.size),
      hasThumbnail: value.has_thumbnail === true,
    }),
  );
}
