// How a service reaches Cassandra, which keyspace it owns and how that keyspace is replicated.
// Everything that ends up inside CQL text (keyspace, replication) is checked here, since DDL
// cannot take bind parameters.

export type Consistency = 'one' | 'localOne' | 'quorum' | 'localQuorum' | 'eachQuorum' | 'all';

/** `{ class: 'SimpleStrategy', replication_factor: 1 }` or `{ class: 'NetworkTopologyStrategy', dc1: 3, ... }`. */
export type ReplicationOptions = Readonly<Record<string, string | number>>;

export interface CassandraOptions {
  contactPoints: readonly string[];
  localDataCenter: string;
  keyspace: string;
  replication: ReplicationOptions;
  /** Directory of `NNNN-name.cql` migration files. */
  migrationsDir: string;
  credentials?: { username: string; password: string };
  /** Default consistency of every statement. Default LOCAL_QUORUM. */
  consistency?: Consistency;
  /** Per-request timeout (driver readTimeout). Default 10 s. */
  requestTimeoutMs?: number;
  /** The readiness check fails when Cassandra does not answer within this. Default 1.5 s. */
  readinessTimeoutMs?: number;
  /** Longest wait for the nodes to agree on the schema after a DDL statement. Default 30 s. */
  schemaAgreementTimeoutMs?: number;
  migrationLock?: {
    /** The lock row expires this long after its last renewal, so a crashed holder frees it. Default 60 s. */
    leaseSeconds?: number;
    /** How long a starting instance waits for another one's migrations. Default 5 min. */
    waitMs?: number;
  };
  /** Shown in Cassandra's client list (system_views.clients). */
  applicationName?: string;
}

export interface ResolvedCassandraOptions {
  contactPoints: string[];
  localDataCenter: string;
  keyspace: string;
  replication: ReplicationOptions;
  migrationsDir: string;
  credentials: { username: string; password: string } | undefined;
  consistency: Consistency;
  requestTimeoutMs: number;
  readinessTimeoutMs: number;
  schemaAgreementTimeoutMs: number;
  migrationLock: { leaseSeconds: number; waitMs: number };
  applicationName: string | undefined;
}

export const CASSANDRA_OPTIONS = Symbol('CASSANDRA_OPTIONS');

const IDENTIFIER = /^[a-z][a-z0-9_]{0,47}$/;
const DATACENTER = /^[A-Za-z0-9_-]{1,64}$/;

export function resolveCassandraOptions(options: CassandraOptions): ResolvedCassandraOptions {
  if (options.contactPoints.length === 0) throw new Error('CassandraOptions.contactPoints must name at least one node');
  if (!IDENTIFIER.test(options.keyspace)) throw new Error(`keyspace ${JSON.stringify(options.keyspace)} must be a lower-case identifier`);
  replicationCql(options.replication);
  return {
    contactPoints: [...options.contactPoints],
    localDataCenter: options.localDataCenter,
    keyspace: options.keyspace,
    replication: options.replication,
    migrationsDir: options.migrationsDir,
    credentials: options.credentials,
    consistency: options.consistency ?? 'localQuorum',
    requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
    readinessTimeoutMs: options.readinessTimeoutMs ?? 1_500,
    schemaAgreementTimeoutMs: options.schemaAgreementTimeoutMs ?? 30_000,
    migrationLock: { leaseSeconds: options.migrationLock?.leaseSeconds ?? 60, waitMs: options.migrationLock?.waitMs ?? 300_000 },
    applicationName: options.applicationName,
  };
}

/** The replication map as a CQL literal, refusing anything that is not a known strategy and counts. */
export function replicationCql(replication: ReplicationOptions): string {
  const { class: strategy, ...rest } = replication;
  const factors = Object.entries(rest);
  const positive = (value: string | number) => Number.isInteger(Number(value)) && Number(value) >= 1;
  if (strategy === 'SimpleStrategy') {
    if (factors.length !== 1 || factors[0][0] !== 'replication_factor' || !positive(factors[0][1])) {
      throw new Error('SimpleStrategy replication takes exactly one positive replication_factor');
    }
  } else if (strategy === 'NetworkTopologyStrategy') {
    if (factors.length === 0 || !factors.every(([dc, n]) => DATACENTER.test(dc) && positive(n))) {
      throw new Error('NetworkTopologyStrategy replication takes positive factors per datacenter name');
    }
  } else {
    throw new Error(`unsupported replication class ${String(strategy)}`);
  }
  const entries = [['class', `'${strategy}'`], ...factors.map(([key, n]) => [key, `'${Number(n)}'`])];
  return `{${entries.map(([key, value]) => `'${key}': ${value}`).join(', ')}}`;
}
