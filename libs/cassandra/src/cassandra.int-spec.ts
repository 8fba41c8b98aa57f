// Against the real node (`npm run infra:up`): every run works in keyspaces of its own
// (test_<random>) and drops them afterwards. DDL takes about a second per table here, so the
// fixture schema is tiny and the timeouts generous.
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { ReadinessRegistry } from '@chat/service-kit';
import { freePort, TcpProxy, uniqueName, waitFor } from '@chat/testing';
import { Client } from 'cassandra-driver';
import { resolveCassandraOptions } from './cassandra.options';
import { CassandraClient, CassandraModule, type CassandraOptions, defineStatements, MigrationChecksumError } from './index';
import { runMigrations } from './migrations/migration.runner';
import { adminSession, FIXTURE_MIGRATIONS, TEST_CONTACT_POINTS, TestReadinessModule, testOptions } from './testing/cassandra-test.env';

jest.setTimeout(240_000);

const keyspace = uniqueName('test_');
const racedKeyspace = uniqueName('test_');

const statements = defineStatements({
  insertNote: { cql: 'INSERT INTO notes (owner, id, body, tags) VALUES (?, ?, ?, ?)', idempotent: true },
  notesOf: 'SELECT id, body, tags FROM notes WHERE owner = ?',
  noteById: 'SELECT id, body FROM notes WHERE owner = ? AND id = ?',
  claimOwner: 'INSERT INTO note_owners (owner, claimed_by) VALUES (?, ?) IF NOT EXISTS',
});

interface NoteRow {
  id: number;
  body: string;
  tags: string[] | null;
  [column: string]: unknown;
}

async function startModule(options: CassandraOptions): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({ imports: [TestReadinessModule, CassandraModule.forRoot(options)] }).compile();
  return moduleRef.init();
}

const readiness = (moduleRef: TestingModule) => moduleRef.get(ReadinessRegistry).list().find((c) => c.name === 'cassandra');

describe('@chat/cassandra against a real node', () => {
  let admin: Client;
  let app: TestingModule;
  let client: CassandraClient;

  const appliedRows = async (ks: string) =>
    (await admin.execute(`SELECT version, name, checksum, applied_at FROM ${ks}.schema_migrations`)).rows
      .map((r) => ({ version: r['version'] as number, name: r['name'] as string, appliedAt: r['applied_at'] as Date }))
      .sort((a, b) => a.version - b.version);

  beforeAll(async () => {
    Logger.overrideLogger(['error', 'warn']);
    admin = adminSession();
    await admin.connect();
    app = await startModule(testOptions(keyspace));
    client = app.get(CassandraClient);
  });

  afterAll(async () => {
    await app?.close();
    if (admin) {
      for (const ks of [keyspace, racedKeyspace]) await admin.execute(`DROP KEYSPACE IF EXISTS ${ks}`, [], { readTimeout: 60_000 });
      await admin.shutdown();
    }
  });

  it('creates the keyspace with the requested replication and applies every migration once, recording each', async () => {
    const ks = await admin.execute('SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?', [keyspace]);
    expect(ks.rows[0]?.['replication']).toMatchObject({ class: 'org.apache.cassandra.locator.SimpleStrategy', replication_factor: '1' });
    const tables = await admin.execute('SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?', [keyspace]);
    expect(tables.rows.map((r) => r['table_name'] as string).sort()).toEqual(['note_owners', 'notes', 'schema_migrations', 'schema_migrations_lock']);
    const applied = await appliedRows(keyspace);
    expect(applied.map((r) => [r.version, r.name])).toEqual([
      [1, 'create-notes'],
      [2, 'add-tags'],
    ]);
    expect(applied.every((r) => r.appliedAt instanceof Date)).toBe(true);
  });

  it('does nothing on the next start, and a second module starts against the same keyspace', async () => {
    const before = await appliedRows(keyspace);
    await expect(runMigrations(resolveCassandraOptions(testOptions(keyspace)))).resolves.toEqual({ applied: [], alreadyApplied: 2 });
    // A second instance, configured the way services do it (options from injected configuration).
    const CONFIG = Symbol('CONFIG');
    const second = await Test.createTestingModule({
      imports: [
        TestReadinessModule,
        CassandraModule.forRootAsync({
          imports: [{ module: class ConfigModule {}, providers: [{ provide: CONFIG, useValue: { keyspace } }], exports: [CONFIG] }],
          inject: [CONFIG],
          useFactory: (config: { keyspace: string }) => testOptions(config.keyspace),
        }),
      ],
    }).compile();
    await second.init();
    await expect(second.get(CassandraClient).first(statements.noteById, ['nobody', 0])).resolves.toBeUndefined();
    await second.close();
    expect(await appliedRows(keyspace)).toEqual(before);
  });

  it('does not ask for CREATE KEYSPACE when the keyspace exists (a role granted only its keyspace can migrate)', async () => {
    const execute = jest.spyOn(Client.prototype, 'execute');
    try {
      await expect(runMigrations(resolveCassandraOptions(testOptions(keyspace)))).resolves.toEqual({ applied: [], alreadyApplied: 2 });
      const statementsRun = execute.mock.calls.map((call) => String(call[0]));
      expect(statementsRun.some((cql) => /system_schema\.keyspaces/.test(cql))).toBe(true);
      expect(statementsRun.filter((cql) => /CREATE KEYSPACE/i.test(cql))).toEqual([]);
    } finally {
      execute.mockRestore();
    }
  });

  it('refuses to start when an applied migration was edited', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cassandra-migrations-'));
    try {
      await cp(FIXTURE_MIGRATIONS, dir, { recursive: true });
      await writeFile(join(dir, '0001-create-notes.cql'), 'CREATE TABLE IF NOT EXISTS notes (owner text, id bigint, PRIMARY KEY (owner, id));');
      await expect(runMigrations(resolveCassandraOptions(testOptions(keyspace, { migrationsDir: dir })))).rejects.toThrow(MigrationChecksumError);
      await expect(startModule(testOptions(keyspace, { migrationsDir: dir }))).rejects.toThrow(/0001-create-notes/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('applies each migration exactly once when two instances start at the same time', async () => {
    const options = resolveCassandraOptions(testOptions(racedKeyspace));
    const reports = await Promise.all([runMigrations(options), runMigrations(options)]);
    const appliedByRuns = reports.flatMap((r) => r.applied).sort();
    expect(appliedByRuns).toEqual(['0001-create-notes', '0002-add-tags']);
    expect((await appliedRows(racedKeyspace)).map((r) => r.version)).toEqual([1, 2]);
    const lock = await admin.execute(`SELECT * FROM ${racedKeyspace}.schema_migrations_lock`);
    expect(lock.rows).toEqual([]);
  });

  it('round-trips values through prepared statements, batches, pages and lightweight transactions', async () => {
    const owner = uniqueName('owner-');
    await client.execute(statements.insertNote, [owner, 1, 'first; with a semicolon', ['a', 'b']]);
    await client.batch(
      [2, 3, 4, 5].map((id) => ({ statement: statements.insertNote, params: [owner, id, `note ${id}`, undefined] })),
      { logged: false },
    );

    const one = await client.first<NoteRow>(statements.noteById, { owner, id: 1 });
    expect(one).toMatchObject({ id: 1, body: 'first; with a semicolon' });

    const firstPage = await client.execute<NoteRow>(statements.notesOf, [owner], { fetchSize: 2 });
    expect(firstPage.rows.map((r) => r.id)).toEqual([1, 2]);
    expect(firstPage.pageState).not.toBeNull();
    const secondPage = await client.execute<NoteRow>(statements.notesOf, [owner], { fetchSize: 2, pageState: firstPage.pageState! });
    expect(secondPage.rows.map((r) => r.id)).toEqual([3, 4]);

    const all: NoteRow[] = [];
    for await (const row of client.iterate<NoteRow>(statements.notesOf, [owner], { fetchSize: 2 })) all.push(row);
    expect(all.map((r) => r.id)).toEqual([1, 2, 3, 4, 5]);
    expect([...(all[0].tags ?? [])].sort()).toEqual(['a', 'b']);
    expect(all[1].tags).toBeNull();

    expect((await client.execute(statements.claimOwner, [owner, 'me'])).applied).toBe(true);
    expect((await client.execute(statements.claimOwner, [owner, 'someone else'])).applied).toBe(false);
  });

  it('registers a `cassandra` readiness check that passes', async () => {
    const check = readiness(app);
    expect(check).toBeDefined();
    await expect(check!.check()).resolves.toBeUndefined();
  });

  it('fails readiness while the node is unreachable and recovers without a restart', async () => {
    const [host, port] = TEST_CONTACT_POINTS[0].split(':') as [string, string];
    const proxy = new TcpProxy(await freePort(), host, Number(port));
    await proxy.up();
    const viaProxy = await startModule(testOptions(keyspace, { contactPoints: [`127.0.0.1:${proxy.port}`], readinessTimeoutMs: 1_000 }));
    try {
      const check = readiness(viaProxy)!;
      await expect(check.check()).resolves.toBeUndefined();
      await proxy.down();
      await waitFor('readiness to fail', () => check.check().then(() => false, () => true), 15_000, 200);
      await expect(check.check()).rejects.toThrow();
      await proxy.up();
      await waitFor('readiness to recover', () => check.check().then(() => true), 30_000, 250);
    } finally {
      await viaProxy.close();
      await proxy.down();
    }
  });
});
