// The signing_keys table. Key changes (first key, next key, rotation) happen under a
// transaction-level advisory lock, so instances starting together agree on one active key; the
// partial unique indexes signing_keys_one_active and signing_keys_one_next back that up.
import { Inject, Injectable } from '@nestjs/common';
import { type JWK } from 'jose';
import { type Pool } from 'pg';
import { PG_POOL } from '@chat/postgres';
import { execute, type Queryable, statement } from '../common/database';

export interface StoredSigningKey {
  kid: string;
  /** JSON, or an encrypted envelope (KeyCipher). */
  privateJwk: string;
  publicJwk: JWK;
  createdAt: Date;
  /** When it began to sign; null for the next key (published, not yet signing). */
  activatedAt: Date | null;
  retiredAt: Date | null;
}

export type PublishedKey = Omit<StoredSigningKey, 'privateJwk' | 'activatedAt'>;

interface KeyRow {
  kid: string;
  private_jwk: string;
  public_jwk: JWK;
  created_at: Date;
  activated_at: Date | null;
  retired_at: Date | null;
}

const KEY_CHANGE_LOCK = 727_274_101;

const LOCK_KEY_CHANGES = statement('lock-key-changes', 'SELECT pg_advisory_xact_lock($1)');
const KEY_COLUMNS = 'kid, private_jwk, public_jwk, created_at, activated_at, retired_at';
const FIND_ACTIVE = statement('find-active-key', `SELECT ${KEY_COLUMNS} FROM signing_keys WHERE retired_at IS NULL AND activated_at IS NOT NULL`);
const FIND_NEXT = statement('find-next-key', `SELECT ${KEY_COLUMNS} FROM signing_keys WHERE activated_at IS NULL`);
const INSERT_KEY = statement(
  'insert-key',
  'INSERT INTO signing_keys (kid, private_jwk, public_jwk, created_at, activated_at) VALUES ($1, $2, $3, $4, $5)',
);
const ACTIVATE_KEY = statement('activate-key', 'UPDATE signing_keys SET activated_at = $2 WHERE kid = $1 AND activated_at IS NULL');
const RETIRE_KEY = statement('retire-key', 'UPDATE signing_keys SET retired_at = $2 WHERE kid = $1 AND retired_at IS NULL');
const LIST_PUBLISHED = statement(
  'list-published-keys',
  `SELECT kid, public_jwk, created_at, retired_at FROM signing_keys
   WHERE retired_at IS NULL OR retired_at > $1 ORDER BY created_at DESC`,
);

const toKey = (row: KeyRow): StoredSigningKey => ({
  kid: row.kid,
  privateJwk: row.private_jwk,
  publicJwk: row.public_jwk,
  createdAt: row.created_at,
  activatedAt: row.activated_at,
  retiredAt: row.retired_at,
});

@Injectable()
export class KeysRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** Serializes key changes across instances until the transaction ends. */
  async lockKeyChanges(tx: Queryable): Promise<void> {
    await execute(tx, LOCK_KEY_CHANGES, [KEY_CHANGE_LOCK]);
  }

  async findActive(db: Queryable = this.pool): Promise<StoredSigningKey | undefined> {
    const { rows } = await execute<KeyRow>(db, FIND_ACTIVE);
    return rows[0] && toKey(rows[0]);
  }

  /** The key published ahead of its use, if one was created. */
  async findNext(db: Queryable = this.pool): Promise<StoredSigningKey | undefined> {
    const { rows } = await execute<KeyRow>(db, FIND_NEXT);
    return rows[0] && toKey(rows[0]);
  }

  async insert(tx: Queryable, key: Omit<StoredSigningKey, 'retiredAt'>): Promise<void> {
    await execute(tx, INSERT_KEY, [key.kid, key.privateJwk, JSON.stringify(key.publicJwk), key.createdAt, key.activatedAt]);
  }

  async activate(tx: Queryable, kid: string, at: Date): Promise<void> {
    await execute(tx, ACTIVATE_KEY, [kid, at]);
  }

  async retire(tx: Queryable, kid: string, at: Date): Promise<void> {
    await execute(tx, RETIRE_KEY, [kid, at]);
  }

  /** The next key, the active key and keys retired after `retiredAfter`, newest first. */
  async listPublished(retiredAfter: Date): Promise<PublishedKey[]> {
    const { rows } = await execute<KeyRow>(this.pool, LIST_PUBLISHED, [retiredAfter]);
    return rows.map(({ kid, public_jwk, created_at, retired_at }) => ({ kid, publicJwk: public_jwk, createdAt: created_at, retiredAt: retired_at }));
  }
}
