// Brings a keyspace to the schema of the service's migration files, before the service opens its
// session. Run by every starting instance; safe when several start at once:
//   1. the keyspace and the bookkeeping tables are created with IF NOT EXISTS;
//   2. if every migration file is already recorded (the usual restart), its checksum is compared
//      and nothing else happens: no lock, no DDL;
//   3. otherwise the instance takes the migration lock (see migration.lock.ts), reads the record
//      again (another instance may just have applied what was pending), applies what is still
//      pending in version order, records each migration after its last statement, and releases.
// An applied migration whose file changed stops the start-up: schema history is append-only.
//
// All DDL of one run goes to one coordinator, the first live node of the local datacenter by
// address, the same for every instance: Cassandra 5 serialises schema changes per coordinator,
// while the same table created concurrently through two coordinators can end up with two table
// ids. Each DDL statement is followed by a wait for schema agreement.
//
// A file's statements are not atomic: if one fails, the migration is not recorded and the next
// start runs the file again from its first statement, so write them re-runnable (IF NOT EXISTS).
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { type Client, type Host, types } from 'cassandra-driver';
import { replicationCql, type ResolvedCassandraOptions } from '../cassandra.options';
import { connectDriver, createDriverClient, waitForSchemaAgreement } from '../client/driver-client';
import { loadMigrations, type Migration } from './migration-file';
import { MigrationLock } from './migration.lock';

export interface MigrationReport {
  /** Migrations this run applied, as `NNNN-name`. */
  applied: string[];
  /** Migrations found already applied. */
  alreadyApplied: number;
}

interface AppliedMigration {
  version: number;
  name: string;
  checksum: string;
}

export class MigrationChecksumError extends Error {
  constructor(changed: readonly string[]) {
    super(`applied migration(s) changed since they ran: ${changed.join(', ')}; add a new migration instead of editing an applied one`);
    this.name = 'MigrationChecksumError';
  }
}

const DDL_TIMEOUT_MS = 60_000;

export async function runMigrations(options: ResolvedCassandraOptions): Promise<MigrationReport> {
  // Read and parse the files first: a syntax error should not wait for a connection.
  const migrations = await loadMigrations(options.migrationsDir);
  const client = createDriverClient(options);
  try {
    await connectDriver(client);
    return await new MigrationRunner(client, options).run(migrations);
  } finally {
    await client.shutdown();
  }
}

export class MigrationRunner {
  private readonly logger = new Logger('CassandraMigrations');
  private readonly ks: string;

  constructor(
    private readonly client: Client,
    private readonly options: ResolvedCassandraOptions,
  ) {
    this.ks = options.keyspace;
  }

  async run(migrations: readonly Migration[]): Promise<MigrationReport> {
    // Only when missing: CREATE KEYSPACE (even IF NOT EXISTS) needs CREATE on ALL KEYSPACES, which
    // a service role granted just its own, pre-created keyspace does not have (k8s: cassandra-roles Job).
    if (!(await this.keyspaceExists())) {
      await this.ddl(`CREATE KEYSPACE IF NOT EXISTS ${this.ks} WITH replication = ${replicationCql(this.options.replication)} AND durable_writes = true`);
    }
    await this.ddl(
      `CREATE TABLE IF NOT EXISTS ${this.ks}.schema_migrations (version int PRIMARY KEY, name text, checksum text, applied_at timestamp)`,
    );
    await this.ddl(MigrationLock.tableCql(this.ks));

    const before = await this.applied();
    this.verify(migrations, before);
    if (migrations.every((m) => before.has(m.version))) return { applied: [], alreadyApplied: migrations.length };

    const owner = `${hostname()}:${process.pid}:${randomUUID()}`;
    const lock = new MigrationLock(this.client, this.ks, owner, this.options.migrationLock.leaseSeconds);
    await lock.acquire(this.options.migrationLock.waitMs);
    try {
      const recorded = await this.applied();
      this.verify(migrations, recorded);
      // Table DDL needs unqualified names to land in this keyspace.
      await this.client.execute(`USE ${this.ks}`, [], { prepare: false });
      const applied: string[] = [];
      for (const migration of migrations.filter((m) => !recorded.has(m.version))) {
        const label = `${String(migration.version).padStart(4, '0')}-${migration.name}`;
        this.logger.log(`applying ${label} (${migration.statements.length} statement(s))`);
        for (const statement of migration.statements) {
          await this.ddl(statement);
          await lock.renew();
        }
        await this.record(migration);
        applied.push(label);
      }
      return { applied, alreadyApplied: migrations.length - applied.length };
    } finally {
      await lock.release();
    }
  }

  private verify(migrations: readonly Migration[], applied: ReadonlyMap<number, AppliedMigration>): void {
    const changed = migrations
      .filter((m) => {
        const record = applied.get(m.version);
        return record !== undefined && record.checksum !== m.checksum;
      })
      .map((m) => `${String(m.version).padStart(4, '0')}-${m.name}`);
    if (changed.length > 0) throw new MigrationChecksumError(changed);
    const known = new Set(migrations.map((m) => m.version));
    for (const record of applied.values()) {
      if (!known.has(record.version)) {
        this.logger.warn(`migration ${record.version}-${record.name} is applied but has no file here (an older build?)`);
      }
    }
  }

  private async applied(): Promise<Map<number, AppliedMigration>> {
    const result = await this.client.execute(`SELECT version, name, checksum FROM ${this.ks}.schema_migrations`, [], {
      prepare: true,
      consistency: types.consistencies.quorum,
    });
    const rows = result.rows as unknown as AppliedMigration[];
    return new Map(rows.map((r) => [r.version, { version: r.version, name: r.name, checksum: r.checksum }]));
  }

  private async record(migration: Migration): Promise<void> {
    await this.client.execute(
      `INSERT INTO ${this.ks}.schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, toTimestamp(now()))`,
      [migration.version, migration.name, migration.checksum],
      { prepare: true, consistency: types.consistencies.quorum },
    );
  }

  private async keyspaceExists(): Promise<boolean> {
    const result = await this.client.execute('SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?', [this.ks], { prepare: true });
    return result.rowLength > 0;
  }

  private async ddl(cql: string): Promise<void> {
    const host = this.ddlHost();
    await this.client.execute(cql, [], { prepare: false, readTimeout: DDL_TIMEOUT_MS, ...(host ? { host } : {}) });
    await waitForSchemaAgreement(this.client, this.options.schemaAgreementTimeoutMs);
  }

  private ddlHost(): Host | undefined {
    return this.client.hosts
      .values()
      .filter((h) => h.isUp() && h.datacenter === this.options.localDataCenter)
      .sort((a, b) => a.address.localeCompare(b.address))[0];
  }
}
