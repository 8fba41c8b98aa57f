// Who may download a file besides its owner: the channels it was shared in by messages that still
// exist (chat.file.shared.v1, `revoked` when the message was deleted) and their members (a projection of chat.channel.membership.v1), both kept by files itself so
// that authorising a download never calls messaging.
import { Inject, Injectable } from '@nestjs/common';
import { type Pool } from 'pg';
import { PG_POOL } from '@chat/postgres';

const SQL = {
  share: `INSERT INTO file_shares (file_id, channel_id, message_id, shared_by, shared_at)
    SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM files WHERE id = $1)
      AND NOT EXISTS (SELECT 1 FROM file_share_revocations WHERE file_id = $1 AND message_id = $3)
    ON CONFLICT (file_id, channel_id, message_id) DO NOTHING`,
  // One statement: the revocation is remembered and the share removed together.
  revoke: `WITH revoked AS (
      INSERT INTO file_share_revocations (file_id, message_id) SELECT $1, $2 WHERE EXISTS (SELECT 1 FROM files WHERE id = $1)
      ON CONFLICT DO NOTHING)
    DELETE FROM file_shares WHERE file_id = $1 AND message_id = $2`,
  memberJoined: 'INSERT INTO channel_members (channel_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
  memberLeft: 'DELETE FROM channel_members WHERE channel_id = $1 AND user_id = $2',
  // The owner, or a member of any channel the file was shared in.
  mayRead: `SELECT 1 FROM files f WHERE f.id = $1 AND (f.owner_id = $2 OR EXISTS (
    SELECT 1 FROM file_shares s JOIN channel_members m ON m.channel_id = s.channel_id WHERE s.file_id = f.id AND m.user_id = $2))`,
};

export interface FileShare {
  fileId: string;
  channelId: string;
  messageId: string;
  sharedBy: string;
  sharedAt: Date;
}

@Injectable()
export class AccessRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** Takes back the share of a deleted message, for good (a later share of that message is ignored). */
  async revoke(fileId: string, messageId: string): Promise<void> {
    await this.pool.query(SQL.revoke, [fileId, messageId]);
  }

  /** Records a share; a share of an unknown file, or of a message whose share was revoked, is ignored. */
  async share(share: FileShare): Promise<void> {
    await this.pool.query(SQL.share, [share.fileId, share.channelId, share.messageId, share.sharedBy, share.sharedAt]);
  }

  async memberJoined(channelId: string, userId: string): Promise<void> {
    await this.pool.query(SQL.memberJoined, [channelId, userId]);
  }

  async memberLeft(channelId: string, userId: string): Promise<void> {
    await this.pool.query(SQL.memberLeft, [channelId, userId]);
  }

  /** Whether `userId` owns the file or belongs to a channel it was shared in. */
  async mayRead(fileId: string, userId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(SQL.mayRead, [fileId, userId]);
    return (rowCount ?? 0) > 0;
  }
}
