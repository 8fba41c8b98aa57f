// Named CQL statements: a repository declares its queries once, by name, next to its code, and
// runs them through CassandraClient, which always prepares them.
import { type Consistency } from '../cassandra.options';

export interface CqlStatement {
  readonly name: string;
  readonly cql: string;
  /**
   * Safe to run twice (no counter update, no list append, no `now()` in a key): lets the driver
   * retry it after a timeout. SELECTs are idempotent by default, writes are not unless declared.
   */
  readonly idempotent: boolean;
  /** Overrides the client's default consistency for this statement. */
  readonly consistency?: Consistency;
}

export type StatementSpec = string | { cql: string; idempotent?: boolean; consistency?: Consistency };

export function defineStatements<const S extends Readonly<Record<string, StatementSpec>>>(specs: S): { readonly [K in keyof S]: CqlStatement } {
  const statements: Record<string, CqlStatement> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const { cql, idempotent, consistency } = typeof spec === 'string' ? { cql: spec, idempotent: undefined, consistency: undefined } : spec;
    const text = cql.trim().replace(/;$/, '');
    if (text.length === 0) throw new Error(`statement ${name} is empty`);
    statements[name] = {
      name,
      cql: text,
      idempotent: idempotent ?? /^select\b/i.test(text),
      ...(consistency ? { consistency } : {}),
    };
  }
  return statements as { readonly [K in keyof S]: CqlStatement };
}
