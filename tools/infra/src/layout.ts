import * as path from 'node:path';

/** The engines whose jars tools/infra resolves (one classpath each, shared by every node of it). */
export type ManagedEngine = 'kafka' | 'cassandra' | 's3';

/** Repository root (this file is tools/infra/src/layout.ts). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
/** tools/infra: static configs (cassandra/, s3proxy/) and Maven poms (maven/). */
export const TOOL_ROOT = path.resolve(__dirname, '..');

/** Where data, logs, pid files, generated configs and cached classpaths live. */
export interface InfraLayout {
  readonly root: string;
  /** Per process: `kafka`, `cassandra`, `s3`, or a cluster node (`kafka-2`, `cassandra-3`). */
  readonly dataDir: (process: string) => string;
  readonly logsDir: string;
  readonly logFile: (process: string) => string;
  readonly pidsDir: string;
  readonly pidFile: (process: string) => string;
  readonly classpathDir: string;
  readonly confDir: string;
  readonly confFile: (name: string) => string;
}

/** `INFRA_DIR` (absolute, or relative to the working directory) or `<repo>/.infra`. */
export function resolveInfraDir(env: NodeJS.ProcessEnv, cwd: string, repoRoot: string = REPO_ROOT): string {
  const fromEnv = env['INFRA_DIR']?.trim();
  return fromEnv ? path.resolve(cwd, fromEnv) : path.join(repoRoot, '.infra');
}

export function infraLayout(root: string): InfraLayout {
  const logsDir = path.join(root, 'logs');
  const pidsDir = path.join(root, 'pids');
  const confDir = path.join(root, 'conf');
  return {
    root,
    dataDir: (engine) => path.join(root, 'data', engine),
    logsDir,
    logFile: (engine) => path.join(logsDir, `${engine}.log`),
    pidsDir,
    pidFile: (engine) => path.join(pidsDir, `${engine}.pid`),
    classpathDir: path.join(root, 'classpath'),
    confDir,
    confFile: (name) => path.join(confDir, name),
  };
}

/** `/abs/repo/.infra/logs/x.log` -> `.infra/logs/x.log` when under the cwd, for shorter messages. */
export function displayPath(file: string, cwd: string = process.cwd()): string {
  const rel = path.relative(cwd, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}
