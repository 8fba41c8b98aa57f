// The users table. Usernames are compared lower-cased, matching the unique index users_username_lower.
import { Inject, Injectable } from '@nestjs/common';
import { type Pool } from 'pg';
import { PG_POOL } from '@chat/postgres';
import { execute, type Queryable, statement } from '../common/database';
import { type Account } from './account';

interface AccountRow {
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  created_at: Date;
}

const COLUMNS = 'id, username, display_name, password_hash, created_at';

const INSERT_ACCOUNT = statement(
  'insert-account',
  `INSERT INTO users (id, username, display_name, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)
   ON CONFLICT ((lower(username))) DO NOTHING`,
);
const FIND_BY_USERNAME = statement('find-account-by-username', `SELECT ${COLUMNS} FROM users WHERE lower(username) = lower($1)`);
const FIND_BY_ID = statement('find-account-by-id', `SELECT ${COLUMNS} FROM users WHERE id = $1`);
const UPDATE_PASSWORD_HASH = statement('update-password-hash', 'UPDATE users SET password_hash = $2 WHERE id = $1');

function toAccount(row: AccountRow): Account {
  return { id: row.id, username: row.username, displayName: row.display_name, passwordHash: row.password_hash, createdAt: row.created_at };
}

@Injectable()
export class AccountsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** False when the username is taken (ignoring case); the transaction stays usable either way. */
  async insert(tx: Queryable, account: Account): Promise<boolean> {
    const { rowCount } = await execute(tx, INSERT_ACCOUNT, [account.id, account.username, account.displayName, account.passwordHash, account.createdAt]);
    return rowCount === 1;
  }

  async findByUsername(username: string): Promise<Account | undefined> {
    const { rows } = await execute<AccountRow>(this.pool, FIND_BY_USERNAME, [username]);
    return rows[0] && toAccount(rows[0]);
  }

  async findById(id: string): Promise<Account | undefined> {
    const { rows } = await execute<AccountRow>(this.pool, FIND_BY_ID, [id]);
    return rows[0] && toAccount(rows[0]);
  }

  /** In the caller's transaction when given (a password change commits with its revocations). */
  async updatePasswordHash(id: string, passwordHash: string, tx: Queryable = this.pool): Promise<void> {
    await execute(tx, UPDATE_PASSWORD_HASH, [id, passwordHash]);
  }
}
