import { open, readFile, rename, stat } from 'node:fs/promises';

/** Keeps the previous run's log as `<file>.1` so each start begins with an empty log. */
export async function rotateLog(file: string): Promise<void> {
  try {
    const info = await stat(file);
    if (info.size > 0) await rename(file, `${file}.1`);
  } catch {
    // No previous log.
  }
}

/** The last `count` lines of a text. */
export function lastLines(text: string, count: number): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.slice(-count);
}

/** The last `count` lines of a file (reads at most the last 256 KiB). */
export async function tailFile(file: string, count: number): Promise<string[]> {
  try {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, 256 * 1024);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      return lastLines(buffer.toString('utf8'), count);
    } finally {
      await handle.close();
    }
  } catch {
    return [];
  }
}

/** Watches a growing log for a line matching `pattern`, reading only what was appended since the last look. */
export class LogWatcher {
  private offset = 0;
  private carry = '';
  private found = false;

  constructor(
    private readonly file: string,
    private readonly pattern: RegExp,
  ) {}

  async seen(): Promise<boolean> {
    if (this.found) return true;
    let handle;
    try {
      handle = await open(this.file, 'r');
    } catch {
      return false;
    }
    try {
      const { size } = await handle.stat();
      if (size < this.offset) this.offset = 0; // rotated / truncated
      if (size === this.offset) return false;
      const buffer = Buffer.alloc(size - this.offset);
      await handle.read(buffer, 0, buffer.length, this.offset);
      this.offset = size;
      const text = this.carry + buffer.toString('utf8');
      const cut = text.lastIndexOf('\n');
      this.carry = cut >= 0 ? text.slice(cut + 1) : text;
      this.found = this.pattern.test(cut >= 0 ? text.slice(0, cut) : '');
      return this.found;
    } finally {
      await handle.close();
    }
  }
}

export async function readTextIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}
