// The attachable_files projection (chat.file.changed.v1): which files exist, whose they are and
// whether they are ready, so that a send can check its fileIds without calling files.
import { Injectable } from '@nestjs/common';
import { type FileChangedEvent } from '@chat/contracts';
import { CassandraClient, defineStatements } from '@chat/cassandra';
import { big, numberOf, uuidOf } from '../common/cql-values';

const CQL = defineStatements({
  upsert: {
    cql: 'INSERT INTO attachable_files (id, owner_id, name, content_type, size, status, has_thumbnail) VALUES (?, ?, ?, ?, ?, ?, ?)',
    idempotent: true,
  },
  remove: { cql: 'DELETE FROM attachable_files WHERE id = ?', idempotent: true },
  get: 'SELECT id, owner_id, name, content_type, size, status, has_thumbnail FROM attachable_files WHERE id = ?',
});

export interface AttachableFile {
  id: string;
  ownerId: string;
  name: string;
  contentType: string;
  size: number;
  status: 'pending' | 'ready';
  hasThumbnail: boolean;
}

@Injectable()
export class AttachableFilesRepository {
  constructor(private readonly db: CassandraClient) {}

  async apply(file: FileChangedEvent['file']): Promise<void> {
    if (file.status === 'deleted') {
      await this.db.execute(CQL.remove, [file.id]);
      return;
    }
    await this.db.execute(CQL.upsert, [file.id, file.ownerId, file.name, file.contentType, big(file.size), file.status, file.hasThumbnail]);
  }

  async get(id: string): Promise<AttachableFile | undefined> {
    const row = await this.db.first(CQL.get, [id]);
    if (!row) return undefined;
    return {
      id: uuidOf(row.id),
      ownerId: uuidOf(row.owner_id),
      name: String(row.name),
      contentType: String(row.content_type),
      size: numberOf(row.size),
      status: row.status === 'ready' ? 'ready' : 'pending',
      hasThumbnail: row.has_thumbnail === true,
    };
  }
}
