import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveStaticFile } from './static-files';

describe('serveStaticFile', () => {
  const root = mkdtempSync(join(tmpdir(), 'static-files-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>chat</title>');
  writeFileSync(join(root, 'assets', 'app-1a2b.js'), 'console.log(1)');
  writeFileSync(join(tmpdir(), 'outside-static-files.txt'), 'secret');
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((req, res) => serveStaticFile(root, req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('serves files, hashed assets cached for good, index.html for client routes', async () => {
    const asset = await fetch(`${base}/assets/app-1a2b.js`);
    expect([asset.status, asset.headers.get('content-type'), asset.headers.get('cache-control'), await asset.text()]).toEqual([
      200,
      'text/javascript; charset=utf-8',
      'public, max-age=31536000, immutable',
      'console.log(1)',
    ]);
    const route = await fetch(`${base}/workspaces/abc?x=1`);
    expect([route.status, route.headers.get('cache-control'), await route.text()]).toEqual([200, 'no-cache', '<!doctype html><title>chat</title>']);
    const head = await fetch(`${base}/`, { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
  });

  it('never serves a file outside its folder, and answers malformed paths and other methods with an error', async () => {
    for (const path of ['/../outside-static-files.txt', '/%2e%2e/outside-static-files.txt', '/assets/..%2f..%2foutside-static-files.txt']) {
      const response = await fetch(`${base}${path}`);
      expect(await response.text()).not.toContain('secret');
    }
    const malformed = await fetch(`${base}/%E0%A4%A`);
    expect([malformed.status, ((await malformed.json()) as { error: { code: string } }).error.code]).toEqual([400, 'invalid']);
    const post = await fetch(`${base}/`, { method: 'POST' });
    expect([post.status, ((await post.json()) as { error: { code: string } }).error.code]).toEqual([405, 'invalid']);
  });

  it('answers not_found while the client is not built', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'static-empty-'));
    const bare = createServer((req, res) => serveStaticFile(empty, req, res));
    await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
    const response = await fetch(`http://127.0.0.1:${(bare.address() as AddressInfo).port}/`);
    await new Promise<void>((resolve) => bare.close(() => resolve()));
    expect([response.status, ((await response.json()) as { error: { code: string } }).error.code]).toEqual([404, 'not_found']);
  });
});
