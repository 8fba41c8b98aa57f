// How repositories talk to PostgreSQL: named statements (prepared once per connection by pg) run
// on the pool or on the client of a transaction that a service opened with Transactions.run.
import { Inject, Injectable } from '@nestjs/common';
import { type Pool, type QueryConfig, type QueryResult, type QueryResultRow } from 'pg';
import { PG_POOL } from '@chat/postgres';

/** The pool or one transaction's client. */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(config: QueryConfig): Promise<QueryResult<R>>;
}

export interface Statement {
  readonly name: string;
  readonly text: string;
}

/** A named statement; its name must be unique in the service. */
export function statement(name: string, text: string): Statement {
  return { name: `auth.${name}`, text: text.replace(/\s+/g, ' ').trim() };
}

export async function execute<R extends QueryResultRow = QueryResultRow>(db: Queryable, sql: Statement, values: readonly unknown[] = []): Promise<QueryResult<R>> {
  return db.query<R>({ name: sql.name, text: sql.text, values: [...values] });
}

/** Opens transactions; services use it so that repositories' writes commit or roll back together. */
@Injectable()
export class Transactions {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async run<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

/** True when a PostgreSQL error is a unique violation (of the named constraint, if given). */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: unknown; constraint?: unknown };
  return e.code === '23505' && (constraint === undefined || e.constraint === constraint);
}
