// File metadata in PostgreSQL (the bytes are in the object store). Every state change is a
// conditional statement, so concurrent completes, cleanups and instances cannot undo each other.
import { Inject, Injectable } from '@nestjs/common';
import { type Pool, type PoolClient } from 'pg';
import { PG_POOL } from '@chat/postgres';

export type FileStatus = 'pending' | 'ready';
export type ThumbnailState = 'pending' | 'ready' | 'failed' | null;

export interface FileRecord {
  id: string;
  ownerId: string;
  name: string;
  contentType: string;
  size: number;
  checksum: string | null;
  status: FileStatus;
  thumbnail: ThumbnailState;
  createdAt: Date;
}

interface FileRow {
  id: string;
  owner_id: string;
  name: string;
  content_type: string;
  size: string;
  checksum: string | null;
  status: FileStatus;
  thumbnail: ThumbnailState;
  created_at: Date;
}

const COLUMNS = 'id, owner_id, name, content_type, size, checksum, status, thumbnail, created_at';

const SQL = {
  insert: `INSERT INTO files (id, owner_id, name, content_type, size, status, created_at) VALUES ($1, $2, $3, $4, $5, 'pending', $6) RETURNING ${COLUMNS}`,
  get: `SELECT ${COLUMNS} FROM files WHERE id = $1`,
  // Only a pending upload younger than the abandon age can become ready: an older one belongs to
  // the cleanup job (which locks it), so the two never both win.
  markReady: `UPDATE files SET status = 'ready', checksum = $2, thumbnail = $3, completed_at = now()
    WHERE id = $1 AND status = 'pending' AND created_at > now() - make_interval(secs => $4) RETURNING ${COLUMNS}`,
  deletePending: `DELETE FROM files WHERE id = $1 AND status = 'pending'`,
  lockPending: `SELECT ${COLUMNS} FROM files WHERE id = $1 AND status = 'pending' AND created_at > now() - make_interval(secs => $2) FOR UPDATE`,
  setThumbnail: `UPDATE files SET thumbnail = $2 WHERE id = $1 AND thumbnail IS DISTINCT FROM 'ready'`,
  lockAbandoned: `SELECT ${COLUMNS} FROM files WHERE status = 'pending' AND created_at <= now() - make_interval(secs => $1)
    ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
  deleteIds: 'DELETE FROM files WHERE id = ANY($1::uuid[])',
};

function toRecord(row: FileRow): FileRecord {
  return {
    id: row.id,
    ownerId: row.owner_id,
    name: row.name,
    contentType: row.content_type,
    size: Number(row.size),
    checksum: row.checksum,
    status: row.status,
    thumbnail: row.thumbnail,
    createdAt: row.created_at,
  };
}

/** What `withLockedPending`'s work may do to the locked row, inside the lock's transaction. */
export interface LockedPendingFile {
  markReady(checksum: string | null, thumbnail: ThumbnailState): Promise<FileRecord>;
  delete(): Promise<void>;
}

export type LockedOutcome<T> = { found: false } | { found: true; result: T };

export interface NewFile {
  id: string;
  ownerId: string;
  name: string;
  contentType: string;
  size: number;
  createdAt: Date;
}

@Injectable()
export class FilesRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async insert(file: NewFile): Promise<FileRecord> {
    const { rows } = await this.pool.query<FileRow>(SQL.insert, [file.id, file.ownerId, file.name, file.contentType, file.size, file.createdAt]);
    return toRecord(rows[0]);
  }

  async get(id: string): Promise<FileRecord | undefined> {
    const { rows } = await this.pool.query<FileRow>(SQL.get, [id]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  /** Marks a pending, not yet abandoned upload ready; undefined when it is not (any more). */
  async markReady(id: string, checksum: string | null, thumbnail: ThumbnailState, abandonedAfterSeconds: number): Promise<FileRecord | undefined> {
    const { rows } = await this.pool.query<FileRow>(SQL.markReady, [id, checksum, thumbnail, abandonedAfterSeconds]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  /**
   * Runs `work` on a pending, not yet abandoned upload while holding its row locked (FOR UPDATE),
   * and commits what it did: a concurrent complete of the same file waits and then finds it ready
   * or gone, and the cleanup job (SKIP LOCKED) leaves it alone. If `work` throws, nothing changes.
   */
  async withLockedPending<T>(
    id: string,
    abandonedAfterSeconds: number,
    work: (file: FileRecord, locked: LockedPendingFile) => Promise<T>,
  ): Promise<LockedOutcome<T>> {
    const client: PoolClient = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<FileRow>(SQL.lockPending, [id, abandonedAfterSeconds]);
      if (!rows[0]) {
        await client.query('COMMIT');
        return { found: false };
      }
      const result = await work(toRecord(rows[0]), {
        markReady: async (checksum, thumbnail) => {
          const updated = await client.query<FileRow>(SQL.markReady, [id, checksum, thumbnail, abandonedAfterSeconds]);
          if (!updated.rows[0]) throw new Error(`file ${id} was locked pending but could not be marked ready`);
          return toRecord(updated.rows[0]);
        },
        delete: async () => {
          await client.query(SQL.deletePending, [id]);
        },
      });
      await client.query('COMMIT');
      return { found: true, result };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async deletePending(id: string): Promise<void> {
    await this.pool.query(SQL.deletePending, [id]);
  }

  async setThumbnail(id: string, state: Exclude<ThumbnailState, null>): Promise<void> {
    await this.pool.query(SQL.setThumbnail, [id, state]);
  }

  /**
   * Runs `remove` on up to `limit` abandoned uploads inside one transaction that holds their rows
   * locked, then deletes the rows: a complete of the same file waits and then finds nothing, and
   * another instance's cleanup skips them. If `remove` throws, nothing is deleted.
   */
  async removeAbandoned(olderThanSeconds: number, limit: number, remove: (files: FileRecord[]) => Promise<void>): Promise<FileRecord[]> {
    const client: PoolClient = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<FileRow>(SQL.lockAbandoned, [olderThanSeconds, limit]);
      const files = rows.map(toRecord);
      if (files.length) {
        await remove(files);
        await client.query(SQL.deleteIds, [files.map((f) => f.id)]);
      }
      await client.query('COMMIT');
      return files;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
