// Conversions between Cassandra values (as @chat/cassandra returns them) and the contract types.

/** uuid/timeuuid cells arrive as driver Uuid objects. */
export function uuidOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) return (value as { toString(): string }).toString();
  throw new TypeError(`expected a uuid cell, got ${typeof value}`);
}

export function optionalUuid(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : uuidOf(value);
}

/** bigint cells arrive as native bigint; seqs and buckets stay far below 2^53. */
export function numberOf(value: unknown): number {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number') return value;
  throw new TypeError(`expected a bigint cell, got ${typeof value}`);
}

export function optionalNumber(value: unknown): number | undefined {
  return value === null || value === undefined ? undefined : numberOf(value);
}

/** bigint bind parameters must be native bigints. */
export function big(value: number): bigint {
  return BigInt(value);
}

/**
 * A write time (USING TIMESTAMP: microseconds since the epoch). Derived rows written off the send
 * path carry their message's createdAt, changes (edits, deletes, reactions) a time above it that
 * follows their command's position (edits/change-write-time.ts), so the change wins whichever
 * write lands last.
 */
export function micros(at: Date): bigint {
  return BigInt(at.getTime()) * 1000n;
}

export function isoOf(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  throw new TypeError(`expected a timestamp cell, got ${typeof value}`);
}

export function optionalIso(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : isoOf(value);
}

/** Collects every page of an async row iterator. */
export async function collect<R>(rows: AsyncIterable<R>): Promise<R[]> {
  const out: R[] = [];
  for await (const row of rows) out.push(row);
  return out;
}
