// Test stand-in for messaging's REST side: `GET /api/me/memberships` answers the memberships the
// test set for the token's user, `POST /api/sync` answers what the test set, and any other path
// echoes what it received (to check the gateway's proxy). It trusts the token's `sub` unverified:
// verifying is the gateway's job under test.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type ErrorBody, type MembershipsResponse, type SyncResult } from '@chat/contracts';
import { decodeJwt } from 'jose';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export class FakeMessagingHttp {
  readonly received: ReceivedRequest[] = [];
  private readonly memberships = new Map<string, { answer: MembershipsResponse; delayMs: number }>();
  syncAnswer: { status: number; body: SyncResult | ErrorBody } = { status: 200, body: { messages: [], hasMore: false } };

  private readonly server: Server;

  private constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() };
        this.received.push(received);
        const [status, body, delayMs] = this.answer(received);
        setTimeout(() => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        }, delayMs);
      });
    });
  }

  static async start(): Promise<FakeMessagingHttp> {
    const fake = new FakeMessagingHttp();
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** What `GET /api/me/memberships` answers for the user, after `delayMs` (a slow messaging). */
  setMemberships(userId: string, memberships: MembershipsResponse, delayMs = 0): void {
    this.memberships.set(userId, { answer: memberships, delayMs });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(request: ReceivedRequest): [status: number, body: unknown, delayMs: number] {
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (request.url === '/api/me/memberships' || request.url === '/api/sync') {
      if (!token) return [401, { error: { code: 'unauthorized', message: 'missing bearer token' } }, 0];
      if (request.url === '/api/sync') return [this.syncAnswer.status, this.syncAnswer.body, 0];
      const set = this.memberships.get(decodeJwt(token).sub ?? '');
      return [200, set?.answer ?? { workspaceIds: [], channelIds: [] }, set?.delayMs ?? 0];
    }
    return [200, { echo: { method: request.method, url: request.url, body: request.body } }, 0];
  }
}
