// The front door against real local HTTP servers standing in for gateways (no engines needed).
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FrontDoor, type Upstream } from './front-door';

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

describe('FrontDoor', () => {
  const dir = mkdtempSync(join(tmpdir(), 'front-door-'));
  const gateways: Server[] = [];
  const upstreams: Upstream[] = [];
  let door: FrontDoor;
  let origin = '';

  beforeAll(async () => {
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>chat</title>');
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'assets', 'app-1.js'), 'console.log(1)');
    for (const name of ['g0', 'g1']) {
      const server = createServer((req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ gateway: name, path: req.url, forwardedFor: req.headers['x-forwarded-for'] }));
      });
      gateways.push(server);
      upstreams.push({ port: await listen(server), live: true });
    }
    const probe = createServer();
    const port = await listen(probe);
    await new Promise((resolve) => probe.close(resolve));
    door = new FrontDoor({ port, staticDir: dir, upstreams, probeIntervalMs: 0 });
    await door.listen();
    origin = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await door.close();
    await Promise.all(gateways.map((g) => new Promise((resolve) => g.close(resolve))));
  });

  it('serves the client, with the SPA fallback, long caching for hashed assets, never outside its folder', async () => {
    const index = await fetch(`${origin}/`);
    expect(index.headers.get('content-type')).toContain('text/html');
    expect(await index.text()).toContain('<title>chat</title>');
    expect(await (await fetch(`${origin}/some/deep/route`)).text()).toContain('<title>chat</title>');
    const asset = await fetch(`${origin}/assets/app-1.js`);
    expect(asset.headers.get('content-type')).toContain('text/javascript');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(await (await fetch(`${origin}/..%2f..%2f..%2fetc%2fpasswd`)).text()).toContain('<title>chat</title>');
  });

  it('proxies protocol paths to one gateway and keeps a client there by cookie', async () => {
    const first = await fetch(`${origin}/api/workspaces?x=1`);
    const cookie = first.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^chat-gw=\d; Path=\/; HttpOnly/);
    const body = (await first.json()) as { gateway: string; path: string; forwardedFor: string };
    expect(body.path).toBe('/api/workspaces?x=1');
    expect(body.forwardedFor).toBe('127.0.0.1');
    const sticky = cookie.split(';')[0];
    for (let i = 0; i < 3; i++) {
      const again = await fetch(`${origin}/auth/me`, { headers: { cookie: sticky } });
      expect(((await again.json()) as { gateway: string }).gateway).toBe(body.gateway);
      expect(again.headers.get('set-cookie')).toBeNull();
    }
    // A new client goes to the other gateway (round robin).
    const other = (await (await fetch(`${origin}/api/x`)).json()) as { gateway: string };
    expect(other.gateway).not.toBe(body.gateway);
  });

  it('moves a sticky client off a gateway that is not live, and answers unavailable when none is', async () => {
    upstreams[0] = { ...(upstreams[0]), live: false };
    const moved = await fetch(`${origin}/api/x`, { headers: { cookie: 'chat-gw=0' } });
    expect(((await moved.json()) as { gateway: string }).gateway).toBe('g1');
    expect(moved.headers.get('set-cookie')).toContain('chat-gw=1');
    upstreams[1] = { ...(upstreams[1]), live: false };
    const none = await fetch(`${origin}/api/x`);
    expect(none.status).toBe(503);
    expect(await none.json()).toEqual({ error: { code: 'unavailable', message: 'no gateway is ready' } });
    await door.checkUpstreams();
    expect(upstreams.map((u) => u.live)).toEqual([true, true]);
  });
});
