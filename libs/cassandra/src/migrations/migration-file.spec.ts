import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checksumOf, loadMigrations, parseMigration } from './migration-file';

describe('parseMigration', () => {
  it('reads version, name, statements and checksum', () => {
    const m = parseMigration('0002-add-reactions.cql', 'CREATE TABLE r (id int PRIMARY KEY);\nCREATE TABLE s (id int PRIMARY KEY);');
    expect(m).toMatchObject({ version: 2, name: 'add-reactions', statements: ['CREATE TABLE r (id int PRIMARY KEY)', 'CREATE TABLE s (id int PRIMARY KEY)'] });
    expect(m.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses badly named or empty files', () => {
    expect(() => parseMigration('2-x.cql', 'SELECT 1')).toThrow(/NNNN-kebab-case-name/);
    expect(() => parseMigration('0001_Create.cql', 'SELECT 1')).toThrow(/NNNN-kebab-case-name/);
    expect(() => parseMigration('0001-empty.cql', '-- nothing yet')).toThrow(/no statement/);
  });
});

describe('checksumOf', () => {
  const base = parseMigration('0001-a.cql', 'CREATE TABLE a (\n  id int PRIMARY KEY\n);').checksum;

  it('ignores comments, trailing blanks, blank lines and line endings', () => {
    const reworded = parseMigration('0001-a.cql', '-- a reworded comment\r\nCREATE TABLE a (   \r\n\r\n  id int PRIMARY KEY -- note\r\n);\r\n').checksum;
    expect(reworded).toBe(base);
  });

  it('changes with anything that runs', () => {
    expect(parseMigration('0001-a.cql', 'CREATE TABLE a (\n  id bigint PRIMARY KEY\n);').checksum).not.toBe(base);
    expect(checksumOf(['A', 'B'])).not.toBe(checksumOf(['A; B']));
  });
});

describe('loadMigrations', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'migrations-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('returns the .cql files in version order and ignores other files', async () => {
    await writeFile(join(dir, '0010-later.cql'), 'SELECT 10 FROM t;');
    await writeFile(join(dir, '0002-second.cql'), 'SELECT 2 FROM t;');
    await writeFile(join(dir, 'README.md'), '# notes');
    expect((await loadMigrations(dir)).map((m) => [m.version, m.name])).toEqual([
      [2, 'second'],
      [10, 'later'],
    ]);
  });

  it('refuses two files with one version', async () => {
    await writeFile(join(dir, '0001-a.cql'), 'SELECT 1 FROM t;');
    await writeFile(join(dir, '0001-b.cql'), 'SELECT 1 FROM t;');
    await expect(loadMigrations(dir)).rejects.toThrow(/share version 1/);
  });
});
