import { randomBytes } from 'node:crypto';

/** A lower-case name unique to this run, usable as keyspace, database, topic or key prefix. */
export function uniqueName(prefix: string): string {
  const letters = [...randomBytes(8)].map((b) => String.fromCharCode(97 + (b % 26))).join('');
  return `${prefix}${letters}`;
}
