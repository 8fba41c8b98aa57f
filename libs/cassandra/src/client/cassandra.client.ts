// The service's Cassandra session, bound to its keyspace. Every statement is prepared (the
// driver caches preparations by text), runs at the configured consistency (LOCAL_QUORUM unless
// told otherwise) and uses LOCAL_SERIAL for the Paxos phase of lightweight transactions.
//
// Values: text/int/boolean/timestamp/blob map to string/number/boolean/Date/Buffer; bigint and
// counter to native bigint; uuid/timeuuid are read as driver Uuid objects (use String(value)) and
// may be bound as strings.
import { type Client, type QueryOptions, type types } from 'cassandra-driver';
import { type Consistency } from '../cassandra.options';
import { consistencyCode } from './driver-client';
import { type CqlStatement } from './statements';
import { estimateBytes, WriteCoalescer } from './write-coalescer';

export type CqlParams = readonly unknown[] | Readonly<Record<string, unknown>>;
export type CqlRow = Readonly<Record<string, unknown>>;

export interface CqlResult<R extends CqlRow> {
  readonly rows: R[];
  /** Where the next page starts; null on the last page. */
  readonly pageState: string | null;
  /** For a lightweight transaction: whether its condition held. True for any other statement. */
  readonly applied: boolean;
}

export interface ExecuteOptions {
  consistency?: Consistency;
  /** Rows per page. Default 5000 (the driver's). */
  fetchSize?: number;
  /** Continue from a page state returned earlier. */
  pageState?: string;
  readTimeoutMs?: number;
}

export interface BatchEntry {
  statement: CqlStatement;
  params: CqlParams;
}

export interface BatchOptions {
  /**
   * Logged batches are atomic across partitions (at a cost); unlogged ones only save round trips
   * and should hold rows of a single partition. Default true.
   */
  logged?: boolean;
  consistency?: Consistency;
}

export class CassandraClient {
  /** Requests not settled yet: shutdown lets them finish before it closes the connections. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly writes = new WriteCoalescer<BatchEntry>(async (entries) => {
    await this.batch(entries, { logged: false });
  });

  constructor(
    private readonly client: Client,
    private readonly keyspaceName: string,
  ) {}

  get keyspace(): string {
    return this.keyspaceName;
  }

  async execute<R extends CqlRow = CqlRow>(statement: CqlStatement | string, params: CqlParams = [], options: ExecuteOptions = {}): Promise<CqlResult<R>> {
    const { cql, queryOptions } = this.prepare(statement, options);
    const result = await this.track(this.client.execute(cql, toDriverParams(params), queryOptions));
    return toResult<R>(result);
  }

  /** The first row, or undefined. */
  async first<R extends CqlRow = CqlRow>(statement: CqlStatement | string, params: CqlParams = [], options: ExecuteOptions = {}): Promise<R | undefined> {
    const { rows } = await this.execute<R>(statement, params, options);
    return rows[0];
  }

  /**
   * Every row, fetching page after page as the caller iterates (`for await`), so a large result
   * never sits in memory at once.
   */
  async *iterate<R extends CqlRow = CqlRow>(statement: CqlStatement | string, params: CqlParams = [], options: ExecuteOptions = {}): AsyncGenerator<R> {
    let pageState = options.pageState;
    do {
      const page = await this.execute<R>(statement, params, { ...options, ...(pageState ? { pageState } : {}) });
      yield* page.rows;
      pageState = page.pageState ?? undefined;
    } while (pageState);
  }

  /**
   * A plain, idempotent write (no condition, no read) that may leave in an unlogged batch with
   * other such writes of this process (WriteCoalescer): for the many small writes of the hot path.
   * Settles when its batch is acknowledged; a failure fails every write of the batch.
   */
  write(statement: CqlStatement, params: readonly unknown[]): Promise<void> {
    if (!statement.idempotent) throw new Error(`only idempotent statements can be coalesced: ${statement.cql}`);
    return this.writes.write({ statement, params }, estimateBytes(params));
  }

  async batch(entries: readonly BatchEntry[], options: BatchOptions = {}): Promise<{ applied: boolean }> {
    if (entries.length === 0) return { applied: true };
    const queries = entries.map((e) => ({ query: e.statement.cql, params: toDriverParams(e.params) }));
    const result = await this.track(this.client.batch(queries, {
      prepare: true,
      logged: options.logged ?? true,
      isIdempotent: entries.every((e) => e.statement.idempotent),
      ...(options.consistency ? { consistency: consistencyCode(options.consistency) } : {}),
    }));
    return { applied: result.wasApplied() };
  }

  /**
   * Lets requests in flight settle (each is bounded by its read timeout), then closes every
   * connection. The driver itself would drop them, and a request still looking for a connection
   * while the pools close can leave a reconnection timer behind.
   */
  async shutdown(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
    await this.client.shutdown();
  }

  private track<T>(request: Promise<T>): Promise<T> {
    this.inFlight.add(request);
    const forget = (): void => {
      this.inFlight.delete(request);
    };
    request.then(forget, forget);
    return request;
  }

  private prepare(statement: CqlStatement | string, options: ExecuteOptions): { cql: string; queryOptions: QueryOptions } {
    const cql = typeof statement === 'string' ? statement : statement.cql;
    const idempotent = typeof statement === 'string' ? /^\s*select\b/i.test(statement) : statement.idempotent;
    const consistency = options.consistency ?? (typeof statement === 'string' ? undefined : statement.consistency);
    return {
      cql,
      queryOptions: {
        prepare: true,
        isIdempotent: idempotent,
        ...(consistency ? { consistency: consistencyCode(consistency) } : {}),
        ...(options.fetchSize ? { fetchSize: options.fetchSize } : {}),
        ...(options.pageState ? { pageState: options.pageState } : {}),
        ...(options.readTimeoutMs ? { readTimeout: options.readTimeoutMs } : {}),
      },
    };
  }
}

function toDriverParams(params: CqlParams): unknown[] | Record<string, unknown> {
  return Array.isArray(params) ? [...(params as readonly unknown[])] : { ...(params as Readonly<Record<string, unknown>>) };
}

function toResult<R extends CqlRow>(result: types.ResultSet): CqlResult<R> {
  return {
    rows: result.rows as unknown as R[],
    pageState: result.pageState ?? null,
    applied: result.wasApplied(),
  };
}
