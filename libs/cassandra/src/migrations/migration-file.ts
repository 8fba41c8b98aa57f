// Migration files: `NNNN-what-it-does.cql` in one directory, applied in version order. The
// checksum covers the statements as parsed (comments and whitespace at line ends do not count),
// so rewording a comment is harmless while any change to what runs is caught.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { splitCql } from './cql-splitter';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly statements: readonly string[];
  readonly checksum: string;
}

const FILE_NAME = /^(\d{4})-([a-z0-9]+(?:-[a-z0-9]+)*)\.cql$/;

export function checksumOf(statements: readonly string[]): string {
  const normalised = statements.map((s) => s.replace(/[ \t]+$/gm, '').replace(/\n{2,}/g, '\n'));
  return createHash('sha256').update(normalised.join(';\n')).digest('hex');
}

export function parseMigration(fileName: string, source: string): Migration {
  const match = FILE_NAME.exec(fileName);
  if (!match) throw new Error(`migration file ${fileName} must be named NNNN-kebab-case-name.cql`);
  const statements = splitCql(source);
  if (statements.length === 0) throw new Error(`migration ${fileName} holds no statement`);
  return { version: Number(match[1]), name: match[2], statements, checksum: checksumOf(statements) };
}

/** Every migration of `dir`, in version order; anything else ending in .cql is an error. */
export async function loadMigrations(dir: string): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cql')).sort();
  const migrations = await Promise.all(files.map(async (f) => parseMigration(f, await readFile(join(dir, f), 'utf8'))));
  const seen = new Map<number, string>();
  for (const m of migrations) {
    const clash = seen.get(m.version);
    if (clash) throw new Error(`migrations ${clash} and ${m.name} share version ${m.version}`);
    seen.set(m.version, m.name);
  }
  return migrations.sort((a, b) => a.version - b.version);
}
