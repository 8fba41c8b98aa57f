import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FrontDoorProxy } from './front-door';
import { chainFrontDoors, WebClient } from './web-client';

describe('WebClient', () => {
  const root = mkdtempSync(join(tmpdir(), 'web-client-'));
  writeFileSync(join(root, 'index.html'), 'the client');
  const rest: FrontDoorProxy = {
    handle: (req, res) => {
      if (!(req.url ?? '').startsWith('/api')) return false;
      res.end('rest');
      return true;
    },
  };
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const door = chainFrontDoors(rest, new WebClient(root));
    server = createServer((req, res) => {
      if (door.handle(req, res)) return;
      res.end('gateway route');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('serves the client for paths nobody else owns, after the REST proxy, leaving the gateway its own routes', async () => {
    const text = async (path: string, method = 'GET') => (await fetch(`${base}${path}`, { method })).text();
    expect(await text('/')).toBe('the client');
    expect(await text('/channels/x')).toBe('the client');
    expect(await text('/api/workspaces')).toBe('rest');
    for (const path of ['/health/ready', '/metrics', '/docs', '/docs-json', '/socket.io/?EIO=4&transport=polling']) {
      expect(await text(path)).toBe('gateway route');
    }
    expect(await text('/anything', 'POST')).toBe('gateway route');
  });
});
