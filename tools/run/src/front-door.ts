// The one origin of `npm start`: serves the built web client (apps/web/dist, with an SPA
// fallback to index.html) and forwards /auth, /api, /socket.io, /health and /docs to
// the gateway instances, sticky by cookie (Socket.IO's long-polling handshake and its upgrade must
// reach the gateway that holds the session), WebSocket upgrades included. A gateway that does not
// answer /health/ready is skipped; its sticky clients move to another one when they reconnect.
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { serveStaticFile } from '@chat/service-kit';

export const STICKY_COOKIE = 'chat-gw';
const FORWARDED = /^\/(auth|api|socket\.io|health|docs|docs-json)(\/|\?|$)/;

export interface Upstream {
  port: number;
  live: boolean;
}

export interface FrontDoorOptions {
  port: number;
  host?: string;
  staticDir: string;
  upstreams: Upstream[];
  /** How often gateways' /health/ready is probed (default 1 s; 0: only on checkUpstreams()). */
  probeIntervalMs?: number;
}

export class FrontDoor {
  private server: Server | null = null;
  private next = 0;
  private probe: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly options: FrontDoorOptions) {}

  async listen(): Promise<void> {
    const server = createServer((req, res) => this.onRequest(req, res));
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => this.onUpgrade(req, socket, head));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host ?? '127.0.0.1', () => resolve());
    });
    const every = this.options.probeIntervalMs ?? 1_000;
    if (every > 0) {
      this.probe = setInterval(() => void this.checkUpstreams(), every);
      this.probe.unref();
    }
  }

  async close(): Promise<void> {
    clearInterval(this.probe);
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Re-probes now (after a gateway restarted). */
  async checkUpstreams(): Promise<void> {
    await Promise.all(
      this.options.upstreams.map(async (upstream) => {
        try {
          upstream.live = (await fetch(`http://127.0.0.1:${upstream.port}/health/ready`, { signal: AbortSignal.timeout(2_000) })).status === 200;
        } catch {
          upstream.live = false;
        }
      }),
    );
  }

  /** The sticky upstream of a request, or a live one by round robin (index, and whether it is new). */
  private pick(req: IncomingMessage): { index: number; fresh: boolean } | null {
    const upstreams = this.options.upstreams;
    const sticky = Number(/(?:^|;\s*)chat-gw=(\d+)/.exec(req.headers.cookie ?? '')?.[1] ?? NaN);
    if (Number.isInteger(sticky) && upstreams[sticky]?.live) return { index: sticky, fresh: false };
    for (let i = 0; i < upstreams.length; i++) {
      const index = (this.next + i) % upstreams.length;
      if (upstreams[index]?.live) {
        this.next = index + 1;
        return { index, fresh: true };
      }
    }
    return null;
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    if (!FORWARDED.test(url)) {
      serveStaticFile(this.options.staticDir, req, res);
      return;
    }
    const target = this.pick(req);
    if (!target) {
      unavailable(res);
      return;
    }
    const upstream = this.options.upstreams[target.index];
    const proxied = request(
      {
        host: '127.0.0.1',
        port: upstream.port,
        method: req.method,
        path: url,
        headers: { ...req.headers, 'x-forwarded-for': forwardedFor(req), 'x-forwarded-host': req.headers.host ?? '' },
      },
      (answer) => {
        const headers = { ...answer.headers };
        if (target.fresh) headers['set-cookie'] = [...(headers['set-cookie'] ?? []), `${STICKY_COOKIE}=${target.index}; Path=/; HttpOnly; SameSite=Lax`];
        res.writeHead(answer.statusCode ?? 502, headers);
        answer.pipe(res);
      },
    );
    proxied.on('error', () => {
      upstream.live = false;
      if (!res.headersSent) unavailable(res);
      else res.destroy();
    });
    req.pipe(proxied);
  }

  private onUpgrade(req: IncomingMessage, client: Socket, head: Buffer): void {
    const target = this.pick(req);
    if (!target || !FORWARDED.test(req.url ?? '/')) {
      client.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
      return;
    }
    const upstream = this.options.upstreams[target.index];
    const server = connect(upstream.port, '127.0.0.1', () => {
      const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      lines.push(`X-Forwarded-For: ${forwardedFor(req)}`);
      server.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) server.write(head);
      server.pipe(client).pipe(server);
    });
    const close = (): void => {
      server.destroy();
      client.destroy();
    };
    server.on('error', () => {
      upstream.live = false;
      close();
    });
    client.on('error', close);
    server.on('close', close);
    client.on('close', close);
  }
}

function forwardedFor(req: IncomingMessage): string {
  const previous = req.headers['x-forwarded-for'];
  const address = req.socket.remoteAddress ?? '';
  return previous ? `${String(previous)}, ${address}` : address;
}

function unavailable(res: ServerResponse): void {
  res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
  res.end(JSON.stringify({ error: { code: 'unavailable', message: 'no gateway is ready' } }));
}
