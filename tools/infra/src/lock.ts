import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { isProcessAlive, parsePid, readCmdline } from './process';
import { sleep } from './wait';

export interface LockOptions {
  readonly file: string;
  /** Give up after this long (another command stuck). */
  readonly timeoutMs: number;
  readonly say: (message: string) => void;
}

/**
 * Runs `work` holding an exclusive lock file (O_EXCL create holding our pid), so that two
 * `infra:up`/`infra:down` of the same INFRA_DIR never race (two JVMs on one data dir, one pid
 * file). A lock whose owner is dead is taken over.
 */
export async function withLock<T>(options: LockOptions, work: () => Promise<T>): Promise<T> {
  const start = Date.now();
  let announced = false;
  await mkdir(path.dirname(options.file), { recursive: true });
  for (;;) {
    if (await tryCreate(options.file)) break;
    const owner = parsePid((await readFile(options.file, 'utf8').catch(() => '')) || '');
    if (owner === undefined && (await ageMs(options.file)) < 2000) {
      // Just created, pid not written yet.
      await sleep(100);
      continue;
    }
    if (owner === undefined || !(await isProcessAlive(owner))) {
      await removeIfOwnedBy(options.file, owner);
      continue;
    }
    if (Date.now() - start > options.timeoutMs) {
      throw new Error(`another infra command (pid ${owner}) has held ${options.file} for over ${options.timeoutMs / 1000}s; stop it or delete the file`);
    }
    if (!announced) {
      announced = true;
      const cmdline = (await readCmdline(owner)) ?? '?';
      options.say(`another infra command is running (pid ${owner}: ${cmdline.slice(0, 120)}); waiting for it to finish...`);
    }
    await sleep(500);
  }
  try {
    return await work();
  } finally {
    await removeIfOwnedBy(options.file, process.pid);
  }
}

async function tryCreate(file: string): Promise<boolean> {
  try {
    const handle = await open(file, 'wx');
    try {
      await handle.writeFile(`${process.pid}\n`);
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** Removes the lock only if it still names `pid` (undefined: unreadable/empty content), to not delete a fresh lock of someone else. */
async function removeIfOwnedBy(file: string, pid: number | undefined): Promise<void> {
  const current = parsePid((await readFile(file, 'utf8').catch(() => '')) || '');
  if (current === pid) await rm(file, { force: true });
}

async function ageMs(file: string): Promise<number> {
  try {
    return Date.now() - (await stat(file)).mtimeMs;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}
