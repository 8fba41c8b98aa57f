import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { withLock } from './lock';

describe('withLock', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'infra-lock-'));

  it('serializes holders and removes the lock afterwards', async () => {
    const file = path.join(dir, 'a.lock');
    const events: string[] = [];
    const hold = (name: string) =>
      withLock({ file, timeoutMs: 5000, say: () => undefined }, async () => {
        events.push(`${name}:in`);
        await new Promise((r) => setTimeout(r, 30));
        events.push(`${name}:out`);
      });
    await Promise.all([hold('a'), hold('b')]);
    // Either may win the race for the file; what matters is that they never overlap.
    const first = events[0]?.split(':')[0];
    const second = first === 'a' ? 'b' : 'a';
    expect(events).toEqual([`${first}:in`, `${first}:out`, `${second}:in`, `${second}:out`]);
    expect(existsSync(file)).toBe(false);
  });

  it('takes over a lock left by a dead process', async () => {
    const file = path.join(dir, 'stale.lock');
    writeFileSync(file, '999999999\n');
    await expect(withLock({ file, timeoutMs: 1000, say: () => undefined }, () => Promise.resolve('ran'))).resolves.toBe('ran');
  });
});
