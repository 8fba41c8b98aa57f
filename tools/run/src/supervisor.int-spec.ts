// The supervisor of `npm start` with real processes: a service that crashes is started again with
// a growing delay and the log says so; one that keeps crashing is given up (npm start then stops
// everything); nothing is restarted once the system is stopping.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@chat/testing';
import { Supervisor } from './supervisor';

const policy = { maxRestarts: 3, windowMs: 60_000, initialDelayMs: 100, maxDelayMs: 1_000 };

/** A process that crashes (exit 1) on its first `crashes` starts, then stays up until SIGTERM. */
const FLAKY = `
const fs = require('node:fs');
const file = process.argv[1];
const starts = Number(fs.readFileSync(file, 'utf8')) + 1;
fs.writeFileSync(file, String(starts));
if (starts <= Number(process.argv[2])) process.exit(1);
setInterval(() => undefined, 1000);
`;

describe('npm start supervisor', () => {
  let dir: string;
  const children: ChildProcess[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'supervisor-'));
  });

  afterEach(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    children.length = 0;
    rmSync(dir, { recursive: true, force: true });
  });

  function flaky(crashes: number) {
    const counter = join(dir, 'starts');
    writeFileSync(counter, '0');
    return {
      starts: () => Number(readFileSync(counter, 'utf8')),
      spec: {
        name: 'messaging',
        spawn: () => {
          const child = spawn(process.execPath, ['-e', FLAKY, counter, String(crashes)], { stdio: 'ignore' });
          children.push(child);
          return child;
        },
      },
    };
  }

  function supervisor() {
    const log: string[] = [];
    const gaveUp: string[] = [];
    const started: boolean[] = [];
    const s = new Supervisor({ say: (m) => log.push(m), started: (_name, _child, restart) => started.push(restart), gaveUp: (name) => gaveUp.push(name) }, policy);
    return { s, log, gaveUp, started };
  }

  it('restarts a crashed service with a growing delay and says so, until it stays up', async () => {
    const service = flaky(2);
    const { s, log, gaveUp, started } = supervisor();
    s.start(service.spec);
    await waitFor('the third start', () => service.starts() === 3 && started.length === 3);
    const live = children[children.length - 1];
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(live.exitCode).toBeNull();
    expect(started).toEqual([false, true, true]);
    expect(log).toEqual([
      'messaging exited (code 1); restarting it in 0.1 s (restart 1 of 3 within 60 s)',
      'messaging exited (code 1); restarting it in 0.2 s (restart 2 of 3 within 60 s)',
    ]);
    expect(gaveUp).toEqual([]);
    s.stop();
  });

  it('gives up on a service that keeps crashing', async () => {
    const service = flaky(100);
    const { s, log, gaveUp } = supervisor();
    s.start(service.spec);
    await waitFor('the supervisor to give up', () => gaveUp.length === 1, 10_000);
    expect(service.starts()).toBe(4);
    expect(log[log.length - 1]).toBe('messaging exited (code 1) 4 times within 60 s; giving up');
  });

  it('does not restart a service stopped on purpose', async () => {
    const service = flaky(0);
    const { s, log } = supervisor();
    const child = s.start(service.spec);
    await waitFor('the service to run', () => service.starts() === 1);
    s.stop();
    child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(service.starts()).toBe(1);
    expect(log).toEqual([]);
  });
});
