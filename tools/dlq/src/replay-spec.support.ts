// What the replay specs of both buses share: the command run as an operator runs it, and what a
// consumer must see of the letters replayed to it.
import { execFile } from 'node:child_process';
import { REPLAYED_FROM_HEADER } from '@chat/kafka';
import { REPO_ROOT } from '@chat/testing';

/** Runs `npm run dlq:replay` as a process with `env` only (and PATH), and returns its exit code and output. */
export function runReplay(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', '@swc-node/register', 'tools/dlq/src/cli.ts', ...args],
      { cwd: REPO_ROOT, env: { PATH: process.env['PATH'], ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, out: `${stdout}${stderr}` }),
    );
  });
}

export interface AppliedRecord {
  key: string;
  n: number;
  headers: Readonly<Record<string, string>>;
}

/**
 * The fixed consumer applied a, b and c (published with n 0, 1, 2 and an `x-trace` header) once
 * each: their own headers came back, the DLQ's did not, and each copy says which letter it is.
 * Returns where each came from (dead-letter partition and offset), by key.
 */
export function expectReplayedCopies(applied: readonly AppliedRecord[], deadLetterTopic: string): Map<string, { partition: number; offset: number }> {
  expect(applied.map((a) => [a.key, a.n]).sort()).toEqual([
    ['a', 0],
    ['b', 1],
    ['c', 2],
  ]);
  const from = new Map<string, { partition: number; offset: number }>();
  for (const { key, headers } of applied) {
    expect(headers['x-trace']).toBe(`t-${key}`);
    expect(Object.keys(headers).filter((h) => h.startsWith('x-dlq-') && h !== REPLAYED_FROM_HEADER)).toEqual([]);
    const mark = headers[REPLAYED_FROM_HEADER] ?? '';
    expect(mark.startsWith(`${deadLetterTopic}/`)).toBe(true);
    const [partition, offset] = mark.slice(deadLetterTopic.length + 1).split('/');
    expect(partition).toMatch(/^\d+$/);
    expect(offset).toMatch(/^\d+$/);
    from.set(key, { partition: Number(partition), offset: Number(offset) });
  }
  return from;
}
