import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { infraLayout } from '../layout';
import { TurnQueue } from '../mutex';
import { type Reporter } from '../report';
import { statusJavaEngine, upJavaEngine } from './java-engine';
import { type JavaEngine } from './types';

// The decisions upJavaEngine makes before it would ever run Maven or Java, against a real local
// TCP listener standing in for an engine's client port.

function listen(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer((socket) => socket.destroy());
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      resolve({ port, close: () => new Promise<void>((done) => server.close(() => done())) });
    }),
  );
}

function fakeEngine(port: number, probe: () => Promise<string>, mainClass = 'org.example.Main'): JavaEngine {
  return {
    name: 'kafka',
    artifact: 'kafka',
    title: 'Fake 1.0',
    mainClass,
    ports: [{ port, role: 'fake client' }],
    endpoint: `127.0.0.1:${port}`,
    pomFile: '/nonexistent/pom.xml',
    approxDownloadMb: 1,
    readyTimeoutMs: 2000,
    prepare: () => Promise.reject(new Error('must not be called')),
    probe,
    quickProbe: probe,
  };
}

describe('upJavaEngine', () => {
  const lines: string[] = [];
  const reporter: Reporter = { say: (engine, message) => lines.push(`[${engine}] ${message}`) };
  const layout = infraLayout(mkdtempSync(path.join(tmpdir(), 'infra-engine-')));
  let server: { port: number; close: () => Promise<void> };

  beforeEach(async () => {
    lines.length = 0;
    server = await listen();
  });
  afterEach(() => server.close());

  it('fails clearly when the port is taken by something that does not answer as the engine', async () => {
    const engine = fakeEngine(server.port, () => Promise.reject(new Error('not kafka')));
    const result = await upJavaEngine(engine, { layout, reporter, mavenTurn: new TurnQueue().reserve() });
    expect(result.status).toBe('failed');
    expect(result.detail).toContain(`port ${server.port} (fake client) is in use by a process that does not answer as Fake 1.0`);
    expect(result.detail).toContain(`ss -ltnp 'sport = :${server.port}'`);
  });

  it('uses an instance it did not start when it answers the probe', async () => {
    const engine = fakeEngine(server.port, () => Promise.resolve('fake answers'));
    const result = await upJavaEngine(engine, { layout, reporter, mavenTurn: new TurnQueue().reserve() });
    expect(result).toMatchObject({ status: 'external', detail: 'fake answers' });
    expect(lines.join('\n')).toContain('not started by this checkout');
  });

  it('only verifies an instance this checkout started (pid file + command line)', async () => {
    // This test process plays the engine: its command line contains "node".
    mkdirSync(layout.pidsDir, { recursive: true });
    writeFileSync(layout.pidFile('kafka'), `${process.pid}\n`);
    const engine = fakeEngine(server.port, () => Promise.resolve('fake answers'), 'node');
    const result = await upJavaEngine(engine, { layout, reporter, mavenTurn: new TurnQueue().reserve() });
    expect(result).toMatchObject({ status: 'already-up', pid: process.pid, detail: 'fake answers' });
  });

  it('releases its Maven turn on every path, so later engines are never blocked', async () => {
    const queue = new TurnQueue();
    const first = queue.reserve();
    const second = queue.reserve();
    await upJavaEngine(fakeEngine(server.port, () => Promise.reject(new Error('no'))), { layout, reporter, mavenTurn: first });
    await expect(Promise.race([second.take().then(() => 'free'), new Promise((r) => setTimeout(() => r('blocked'), 200))])).resolves.toBe('free');
  });
});

describe('statusJavaEngine', () => {
  it('reports down when nothing listens', async () => {
    const server = await listen();
    const port = server.port;
    await server.close();
    const layout = infraLayout(mkdtempSync(path.join(tmpdir(), 'infra-status-')));
    const status = await statusJavaEngine(fakeEngine(port, () => Promise.resolve('x')), layout);
    expect(status).toMatchObject({ state: 'down' });
  });
});
