// refresh_token_families and refresh_tokens. Tokens are looked up by the SHA-256 of their value;
// the value itself is never stored. Rotation locks the presented token row and then its family row
// (FOR UPDATE); revocation updates the family row first, so the two are ordered by that lock.
import { Inject, Injectable } from '@nestjs/common';
import { type Pool } from 'pg';
import { PG_POOL } from '@chat/postgres';
import { execute, type Queryable, statement } from '../common/database';

export interface RefreshTokenRecord {
  id: string;
  familyId: string;
  userId: string;
  /** The owner's username (joined), for the access token a rotation issues. */
  username: string;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
}

export interface NewRefreshToken {
  id: string;
  hash: Buffer;
  familyId: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
}

interface TokenRow {
  id: string;
  family_id: string;
  user_id: string;
  username: string;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
}

const INSERT_FAMILY = statement('insert-token-family', 'INSERT INTO refresh_token_families (id, user_id, created_at) VALUES ($1, $2, $3)');
const INSERT_TOKEN = statement(
  'insert-refresh-token',
  `INSERT INTO refresh_tokens (id, token_hash, family_id, user_id, created_at, expires_at)
   VALUES ($1, $2, $3, $4, $5, $6)`,
);
const LOCK_TOKEN = statement(
  'lock-refresh-token',
  `SELECT t.id, t.family_id, t.user_id, u.username, t.expires_at, t.used_at, t.revoked_at
   FROM refresh_tokens t JOIN users u ON u.id = t.user_id
   WHERE t.token_hash = $1 FOR UPDATE OF t`,
);
const FIND_TOKEN_FAMILY = statement('find-refresh-token-family', 'SELECT family_id FROM refresh_tokens WHERE token_hash = $1');
const LOCK_FAMILY = statement('lock-token-family', 'SELECT revoked_at FROM refresh_token_families WHERE id = $1 FOR UPDATE');
const MARK_USED = statement('mark-refresh-token-used', 'UPDATE refresh_tokens SET used_at = $2 WHERE id = $1');
const REVOKE_FAMILY = statement('revoke-token-family', 'UPDATE refresh_token_families SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL');
const REVOKE_USER_FAMILIES = statement(
  'revoke-user-token-families',
  'UPDATE refresh_token_families SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL RETURNING id',
);
const REVOKE_USER_TOKENS = statement('revoke-user-refresh-tokens', 'UPDATE refresh_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL');
const REVOKE_FAMILY_TOKENS = statement(
  'revoke-family-tokens',
  'UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL',
);

@Injectable()
export class RefreshTokensRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async insertFamily(tx: Queryable, family: { id: string; userId: string; createdAt: Date }): Promise<void> {
    await execute(tx, INSERT_FAMILY, [family.id, family.userId, family.createdAt]);
  }

  async insertToken(tx: Queryable, token: NewRefreshToken): Promise<void> {
    await execute(tx, INSERT_TOKEN, [token.id, token.hash, token.familyId, token.userId, token.createdAt, token.expiresAt]);
  }

  /** The token with this hash, its row locked until the transaction ends. */
  async lockToken(tx: Queryable, hash: Buffer): Promise<RefreshTokenRecord | undefined> {
    const { rows } = await execute<TokenRow>(tx, LOCK_TOKEN, [hash]);
    const row = rows[0];
    return (
      row && {
        id: row.id,
        familyId: row.family_id,
        userId: row.user_id,
        username: row.username,
        expiresAt: row.expires_at,
        usedAt: row.used_at,
        revokedAt: row.revoked_at,
      }
    );
  }

  /** Whether the family is revoked, its row locked until the transaction ends; undefined if there is none. */
  async lockFamily(tx: Queryable, familyId: string): Promise<{ revokedAt: Date | null } | undefined> {
    const { rows } = await execute<{ revoked_at: Date | null }>(tx, LOCK_FAMILY, [familyId]);
    return rows[0] && { revokedAt: rows[0].revoked_at };
  }

  async findFamilyOf(hash: Buffer): Promise<string | undefined> {
    const { rows } = await execute<{ family_id: string }>(this.pool, FIND_TOKEN_FAMILY, [hash]);
    return rows[0]?.family_id;
  }

  async markUsed(tx: Queryable, tokenId: string, at: Date): Promise<void> {
    await execute(tx, MARK_USED, [tokenId, at]);
  }

  /** Revokes the family and every token in it; true when the family was live until now. */
  async revokeFamily(tx: Queryable, familyId: string, at: Date): Promise<boolean> {
    const { rowCount } = await execute(tx, REVOKE_FAMILY, [familyId, at]);
    await execute(tx, REVOKE_FAMILY_TOKENS, [familyId, at]);
    return rowCount === 1;
  }

  /** Revokes every live family of the user and their tokens; the ids of the families revoked. */
  async revokeUserFamilies(tx: Queryable, userId: string, at: Date): Promise<string[]> {
    const { rows } = await execute<{ id: string }>(tx, REVOKE_USER_FAMILIES, [userId, at]);
    await execute(tx, REVOKE_USER_TOKENS, [userId, at]);
    return rows.map((row) => row.id);
  }
}
