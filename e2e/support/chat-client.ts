// A chat client for end-to-end tests, speaking only the client protocol (PROTOCOL.md) to one
// origin: REST with fetch, Socket.IO with the real socket.io-client. A ChatUser is an account with
// its tokens; a Device is one of its Socket.IO connections, which records every `message:new` it
// receives (in arrival order, with the arrival time) and answers acknowledgements as promises.
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import {
  type Ack,
  type AuthSession,
  type Channel,
  type ClientToServerEvents,
  type ErrorBody,
  type ErrorDetail,
  type HistoryResponse,
  type Message,
  type SendMessagePayload,
  type ServerToClientEvents,
  type SyncPayload,
  type SyncResult,
  type TokenPair,
  type Workspace,
  type ChannelSummary,
} from '@chat/contracts';
import { http, type HttpAnswer, uniqueName, waitFor } from '@chat/testing';

export { http, type HttpAnswer };
import { io, type Socket } from 'socket.io-client';

export type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type SendAck = Ack<{ message: Message }>;

/** The payload of a JWT, decoded without verifying anything. */
export function jwtPayload(token: string): Record<string, unknown> & { exp: number; sub: string } {
  const part = token.split('.')[1];
  if (!part) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown> & { exp: number; sub: string };
}

/** The same token with its payload replaced: header and signature kept, so the signature no longer matches. */
export function forgeJwt(token: string, change: (payload: Record<string, unknown>) => Record<string, unknown>): string {
  const [header, , signature] = token.split('.');
  const payload = Buffer.from(JSON.stringify(change(jwtPayload(token)))).toString('base64url');
  return `${header}.${payload}.${signature}`;
}

/** The body of an answer with the expected status; anything else throws, naming what was called. */
function expectStatus<T>(answer: HttpAnswer<T>, status: number, what: string): T {
  if (answer.status !== status) throw new Error(`${what}: expected ${status}, got ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

export interface ChatUserOptions {
  /**
   * Refresh the access token before a call when it is older than this (tests that run auth with
   * a very short token lifetime). Default: never.
   */
  renewAfterMs?: number;
}

export class ChatUser {
  private issuedAt = Date.now();
  readonly devices: Device[] = [];

  private constructor(
    readonly origin: string,
    readonly id: string,
    readonly username: string,
    private tokens: TokenPair,
    private readonly options: ChatUserOptions,
  ) {}

  static async register(origin: string, prefix = 'user', options: ChatUserOptions = {}): Promise<ChatUser> {
    const username = uniqueName(prefix);
    const session = expectStatus(
      await http<AuthSession>(origin, 'POST', '/auth/register', { body: { username, password: 'correct horse battery staple' } }),
      201,
      `register ${username}`,
    );
    return new ChatUser(origin, session.user.id, session.user.username, session, options);
  }

  get accessToken(): string {
    return this.tokens.accessToken;
  }

  get refreshToken(): string {
    return this.tokens.refreshToken;
  }

  /** An access token valid now (rotated through `/auth/refresh` when older than `renewAfterMs`). */
  async token(): Promise<string> {
    if (this.options.renewAfterMs !== undefined && Date.now() - this.issuedAt > this.options.renewAfterMs) await this.refresh();
    return this.tokens.accessToken;
  }

  async refresh(): Promise<void> {
    this.tokens = expectStatus(await http<TokenPair>(this.origin, 'POST', '/auth/refresh', { body: { refreshToken: this.tokens.refreshToken } }), 200, 'refresh');
    this.issuedAt = Date.now();
  }

  /** A REST call with the user's token, to its origin or to `origin` (another gateway instance). */
  async request<T = unknown>(method: string, path: string, body?: unknown, origin = this.origin): Promise<HttpAnswer<T>> {
    return http<T>(origin, method, path, { token: await this.token(), body });
  }

  async createWorkspace(name = uniqueName('ws')): Promise<{ workspace: Workspace; general: ChannelSummary }> {
    const { workspace } = expectStatus(await this.request<{ workspace: Workspace }>('POST', '/api/workspaces', { name }), 201, 'create workspace');
    const general = (await this.channels(workspace.id)).find((c) => c.name === 'general');
    if (!general) throw new Error('a new workspace has no #general');
    return { workspace, general };
  }

  async channels(workspaceId: string): Promise<ChannelSummary[]> {
    return expectStatus(await this.request<{ channels: ChannelSummary[] }>('GET', `/api/workspaces/${workspaceId}/channels`), 200, 'list channels').channels;
  }

  /** Invites `user`, who accepts: nobody joins a workspace without consenting. */
  async addToWorkspace(workspaceId: string, user: ChatUser): Promise<void> {
    expectStatus(await this.request('POST', `/api/workspaces/${workspaceId}/invitations`, { username: user.username }), 201, 'invite to workspace');
    expectStatus(await user.request('POST', `/api/me/invitations/${workspaceId}/accept`), 200, 'accept invitation');
  }

  async createChannel(workspaceId: string, options: { name?: string; private?: boolean } = {}): Promise<Channel> {
    const body = { name: options.name ?? uniqueName('ch'), private: options.private ?? false };
    return expectStatus(await this.request<{ channel: Channel }>('POST', `/api/workspaces/${workspaceId}/channels`, body), 201, 'create channel').channel;
  }

  async addToChannel(channelId: string, user: ChatUser): Promise<void> {
    expectStatus(await this.request('POST', `/api/channels/${channelId}/members`, { userId: user.id }), 201, 'add channel member');
  }

  /** One history page, as answered. */
  historyPage(channelId: string, query: string, origin = this.origin): Promise<HttpAnswer<HistoryResponse | ErrorBody>> {
    return this.request<HistoryResponse | ErrorBody>('GET', `/api/channels/${channelId}/messages?${query}`, undefined, origin);
  }

  /** The channel's whole history, oldest first, read in pages of `after`. */
  async history(channelId: string, origin = this.origin): Promise<Message[]> {
    const all: Message[] = [];
    for (;;) {
      const after = all.at(-1)?.seq ?? 0;
      const page = expectStatus(await this.historyPage(channelId, `after=${after}&limit=200`, origin), 200, 'history') as HistoryResponse;
      all.push(...page.messages);
      if (!page.hasMore) return all;
      if (page.messages.length === 0) throw new Error('history answered hasMore with an empty page');
    }
  }

  /** Connects a device and waits for the connection (rejects with the `connect_error`). */
  async connect(gatewayUrl: string, name = `${this.username}/${this.devices.length}`): Promise<Device> {
    const device = new Device(name, this, gatewayUrl);
    await device.open(await this.token());
    this.devices.push(device);
    return device;
  }
}

export interface Received {
  message: Message;
  /** performance.now() when the event arrived. */
  at: number;
}

export class Device {
  readonly received: Received[] = [];
  /** Every `message:updated`, in arrival order. */
  readonly updated: Message[] = [];
  /** Channels announced by `channel:joined` on this device. */
  readonly joined = new Set<string>();
  readonly disconnects: string[] = [];
  /** Every `session:closed` (why the server is about to disconnect this device). */
  readonly sessionClosed: ErrorDetail[] = [];
  private current: ChatSocket | undefined;

  constructor(
    readonly name: string,
    readonly user: ChatUser,
    readonly gatewayUrl: string,
  ) {}

  get socket(): ChatSocket {
    if (!this.current) throw new Error(`${this.name} is not connected`);
    return this.current;
  }

  get connected(): boolean {
    return this.current?.connected ?? false;
  }

  /** Opens a new connection (no automatic reconnection: a test must see every disconnect). */
  async open(token: string): Promise<void> {
    if (this.current?.connected) throw new Error(`${this.name} is already connected`);
    const socket: ChatSocket = io(this.gatewayUrl, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    socket.on('message:new', (message) => this.received.push({ message, at: performance.now() }));
    socket.on('message:updated', (message) => this.updated.push(message));
    socket.on('channel:joined', ({ channel }) => this.joined.add(channel.id));
    socket.on('session:closed', (error) => this.sessionClosed.push(error));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (error) => {
        socket.close();
        reject(error);
      });
    });
    socket.on('disconnect', (reason) => this.disconnects.push(reason));
    this.current = socket;
  }

  /** Reconnects with a fresh access token of its user. */
  async reconnect(): Promise<void> {
    await this.open(await this.user.token());
  }

  close(): void {
    this.current?.off('disconnect');
    this.current?.close();
  }

  /** Emits a typed event and resolves with its acknowledgement, or rejects after `timeoutMs`. */
  ack<E extends 'message:send' | 'sync'>(event: E, payload: Parameters<ClientToServerEvents[E]>[0], timeoutMs = 30_000): Promise<Parameters<Parameters<ClientToServerEvents[E]>[1]>[0]> {
    return this.raw(event, [payload], timeoutMs) as Promise<Parameters<Parameters<ClientToServerEvents[E]>[1]>[0]>;
  }

  send(payload: Omit<SendMessagePayload, 'clientMsgId'> & { clientMsgId?: string }, timeoutMs = 30_000): Promise<SendAck> {
    return this.ack('message:send', { clientMsgId: randomUUID(), ...payload }, timeoutMs);
  }

  /** `message:send` that must succeed: the stored message. */
  async sendOk(channelId: string, text = `hello ${randomUUID()}`): Promise<Message> {
    const answer = await this.send({ channelId, text });
    if (!answer.ok) throw new Error(`send failed: ${answer.error.code} ${answer.error.message}`);
    return answer.message;
  }

  sync(payload: SyncPayload, timeoutMs = 30_000): Promise<Ack<SyncResult>> {
    return this.ack('sync', payload, timeoutMs);
  }

  /** Emits any event with any arguments (bad input), an acknowledgement callback appended. */
  raw(event: string, args: unknown[], timeoutMs = 30_000): Promise<Ack<object>> {
    const socket = this.socket as unknown as Socket;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: no acknowledgement of ${event} within ${timeoutMs} ms`)), timeoutMs);
      socket.emit(event, ...args, (answer: Ack<object>) => {
        clearTimeout(timer);
        resolve(answer);
      });
    });
  }

  /** Messages of one channel received so far, in arrival order. */
  messagesOf(channelId: string): Message[] {
    return this.received.filter((r) => r.message.channelId === channelId).map((r) => r.message);
  }

  /** Waits until `count` messages of the channel have arrived. */
  async waitForCount(channelId: string, count: number, timeoutMs = 60_000): Promise<void> {
    await waitFor(`${this.name} to receive ${count} messages (has ${this.messagesOf(channelId).length})`, () => this.messagesOf(channelId).length >= count, timeoutMs, 50);
  }
}

/** The connection error of a refused handshake. */
export async function refusedHandshake(gatewayUrl: string, token: string): Promise<{ message: string; data: unknown }> {
  const socket: ChatSocket = io(gatewayUrl, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  try {
    return await new Promise((resolve, reject) => {
      socket.once('connect', () => reject(new Error('the handshake was accepted')));
      socket.once('connect_error', (error: Error & { data?: unknown }) => resolve({ message: error.message, data: error.data }));
    });
  } finally {
    socket.close();
  }
}

/** Percentile (nearest rank) of numbers. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}
