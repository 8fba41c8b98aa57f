import { mkdtempSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { isPortOpen, isProcessAlive, managedPid, parsePid, readPidFile } from './process';

describe('parsePid', () => {
  it('accepts positive integers above 1 only', () => {
    expect(parsePid('1234\n')).toBe(1234);
    expect(parsePid('1')).toBeUndefined();
    expect(parsePid('12a')).toBeUndefined();
    expect(parsePid('')).toBeUndefined();
  });
});

describe('pid files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'infra-pid-'));

  it('recognizes a live process by its command line and drops stale files', async () => {
    const file = path.join(dir, 'me.pid');
    writeFileSync(file, `${process.pid}\n`);
    expect(await readPidFile(file)).toBe(process.pid);
    expect(await isProcessAlive(process.pid)).toBe(true);
    expect(await managedPid(file, 'node')).toBe(process.pid);
    expect(await managedPid(file, 'org.example.NotThisProcess')).toBeUndefined();
    expect(await readPidFile(file)).toBeUndefined(); // removed as stale
  });
});

describe('isPortOpen', () => {
  it('tells a listening port from a closed one', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    expect(await isPortOpen(port)).toBe(true);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(await isPortOpen(port)).toBe(false);
  });
});
