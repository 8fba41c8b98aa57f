// The proxy against real loopback HTTP servers standing in for the services (no engine needed).
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { installFrontDoor } from './front-door';
import { RestProxyCore } from './rest-proxy';

interface Seen {
  service: string;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function call(port: number, method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('RestProxyCore behind the front door', () => {
  const seen: Seen[] = [];
  const upstreams: Server[] = [];
  let gateway: Server;
  let gatewayPort: number;
  let proxy: RestProxyCore;
  const finished: { service: string; status: number }[] = [];
  let closedPort: number;

  const echo = (service: string) => (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ service, method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ service, url: req.url, bytes: Buffer.concat(chunks).length }));
    });
  };

  beforeAll(async () => {
    const ports: Record<string, number> = {};
    for (const service of ['auth', 'messaging', 'presence']) {
      const server = createServer(echo(service));
      upstreams.push(server);
      ports[service] = await listen(server);
    }
    // "files" is down: a port nobody listens on.
    const probe = createServer();
    closedPort = await listen(probe);
    await close(probe);

    proxy = new RestProxyCore({
      upstreams: {
        auth: `http://127.0.0.1:${ports.auth}`,
        messaging: `http://127.0.0.1:${ports.messaging}`,
        presence: `http://127.0.0.1:${ports.presence}`,
        files: `http://127.0.0.1:${closedPort}`,
      },
      timeoutMs: 400,
      onFinished: (service, status) => finished.push({ service, status }),
    });
    gateway = createServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'not_found', message: 'no such route' } }));
    });
    installFrontDoor(gateway, proxy);
    gatewayPort = await listen(gateway);
  });

  afterAll(async () => {
    proxy.close();
    await Promise.all([gateway, ...upstreams].map(close));
  });

  beforeEach(() => {
    seen.length = 0;
  });

  it('routes by prefix with path, query, method and X-Forwarded-* headers', async () => {
    const login = await call(gatewayPort, 'POST', '/auth/login', '{"username":"a"}', { 'content-type': 'application/json' });
    expect(login.status).toBe(201);
    expect(JSON.parse(login.body)).toEqual({ service: 'auth', url: '/auth/login', bytes: 16 });

    const presence = await call(gatewayPort, 'GET', '/api/presence?userIds=a,b');
    expect(JSON.parse(presence.body)).toMatchObject({ service: 'presence', url: '/api/presence?userIds=a,b' });

    const history = await call(gatewayPort, 'GET', '/api/channels/c/messages?before=9');
    expect(JSON.parse(history.body)).toMatchObject({ service: 'messaging', url: '/api/channels/c/messages?before=9' });

    const forwarded = seen.find((s) => s.service === 'auth');
    expect(forwarded?.method).toBe('POST');
    expect(forwarded?.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(forwarded?.headers['x-forwarded-proto']).toBe('http');
    expect(forwarded?.headers['x-forwarded-host']).toBe(`127.0.0.1:${gatewayPort}`);
  });

  it('leaves unknown paths and the gateway\'s own routes to the application behind it', async () => {
    for (const path of ['/nowhere', '/health/ready', '/metrics', '/docs']) {
      const answer = await call(gatewayPort, 'GET', path);
      expect(answer.status).toBe(404);
      expect(JSON.parse(answer.body)).toEqual({ error: { code: 'not_found', message: 'no such route' } });
    }
    expect(seen).toHaveLength(0);
  });

  it('carries bodies far larger than the gateway\'s own JSON limit', async () => {
    const big = 'x'.repeat(2 * 1024 * 1024);
    const answer = await call(gatewayPort, 'POST', '/api/workspaces', big, { 'content-type': 'application/json' });
    expect(JSON.parse(answer.body)).toMatchObject({ service: 'messaging', bytes: big.length });
  });

  it('streams the request body instead of buffering it', async () => {
    // This upstream answers on the first chunk; a buffering proxy would wait for the end that never comes.
    const eager = createServer((req, res) => {
      req.once('data', (chunk: Buffer) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(`first chunk: ${chunk.toString()}`);
      });
    });
    const port = await listen(eager);
    const streaming = new RestProxyCore({
      upstreams: { auth: `http://127.0.0.1:${port}`, messaging: 'http://127.0.0.1:1', presence: 'http://127.0.0.1:1', files: 'http://127.0.0.1:1' },
      timeoutMs: 5_000,
    });
    const front = createServer();
    installFrontDoor(front, streaming);
    const frontPort = await listen(front);
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: frontPort, method: 'POST', path: '/auth/upload', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => {
            req.destroy();
            resolve(text);
          });
        });
        req.on('error', reject);
        req.write('hello'); // and never end()
      });
      expect(body).toBe('first chunk: hello');
    } finally {
      streaming.close();
      await close(front);
      await close(eager);
    }
  });

  it('answers 503 unavailable at once when the owning service is down', async () => {
    const started = Date.now();
    const answer = await call(gatewayPort, 'POST', '/api/files', '{}', { 'content-type': 'application/json' });
    expect(answer.status).toBe(503);
    expect(answer.headers['content-type']).toMatch(/application\/json/);
    expect(JSON.parse(answer.body)).toEqual({ error: { code: 'unavailable', message: 'the files service is unavailable; try again' } });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(finished).toContainEqual({ service: 'files', status: 503 });
  });

  it('answers 503 when the service accepts the call but stays silent', async () => {
    const silent = createServer(() => undefined);
    const port = await listen(silent);
    const slow = new RestProxyCore({
      upstreams: { auth: 'http://127.0.0.1:1', messaging: `http://127.0.0.1:${port}`, presence: 'http://127.0.0.1:1', files: 'http://127.0.0.1:1' },
      timeoutMs: 300,
    });
    const front = createServer();
    installFrontDoor(front, slow);
    const frontPort = await listen(front);
    try {
      const answer = await call(frontPort, 'GET', '/api/workspaces');
      expect(answer.status).toBe(503);
      expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'unavailable' } });
    } finally {
      slow.close();
      await close(front);
      await close(silent);
    }
  });

  it('cuts the client connection when the service dies in the middle of its answer', async () => {
    const dying = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
      res.write('partial');
      setTimeout(() => res.socket?.destroy(), 50);
    });
    const port = await listen(dying);
    const fragile = new RestProxyCore({
      upstreams: { auth: 'http://127.0.0.1:1', messaging: `http://127.0.0.1:${port}`, presence: 'http://127.0.0.1:1', files: 'http://127.0.0.1:1' },
      timeoutMs: 5_000,
    });
    const front = createServer();
    installFrontDoor(front, fragile);
    const frontPort = await listen(front);
    try {
      await expect(call(frontPort, 'GET', '/api/workspaces')).rejects.toThrow(/aborted|socket hang up|ECONNRESET/);
    } finally {
      fragile.close();
      await close(front);
      await close(dying);
    }
  });
});
