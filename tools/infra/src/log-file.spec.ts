import { appendFileSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { LogWatcher, lastLines, rotateLog, tailFile } from './log-file';

const dir = mkdtempSync(path.join(tmpdir(), 'infra-log-'));

describe('lastLines / tailFile', () => {
  it('returns the last N lines without the trailing empty one', async () => {
    expect(lastLines('a\nb\nc\n', 2)).toEqual(['b', 'c']);
    const file = path.join(dir, 'tail.log');
    writeFileSync(file, Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n') + '\n');
    expect(await tailFile(file, 3)).toEqual(['line 97', 'line 98', 'line 99']);
    expect(await tailFile(path.join(dir, 'missing.log'), 3)).toEqual([]);
  });
});

describe('LogWatcher', () => {
  it('finds a line appended later, also when it arrives in pieces', async () => {
    const file = path.join(dir, 'watch.log');
    const watcher = new LogWatcher(file, /Startup complete/);
    expect(await watcher.seen()).toBe(false); // no file yet
    writeFileSync(file, 'INFO starting\nINFO Startup comp');
    expect(await watcher.seen()).toBe(false);
    appendFileSync(file, 'lete\n');
    expect(await watcher.seen()).toBe(true);
  });
});

describe('rotateLog', () => {
  it('moves a non-empty log to .1', async () => {
    const file = path.join(dir, 'rot.log');
    writeFileSync(file, 'old run\n');
    await rotateLog(file);
    expect(existsSync(file)).toBe(false);
    expect(readFileSync(`${file}.1`, 'utf8')).toBe('old run\n');
    await expect(rotateLog(path.join(dir, 'none.log'))).resolves.toBeUndefined();
  });
});
