// ClientEventsGateway inside a real Nest application, on GatewayIoAdapter and a real Socket.IO
// server on loopback, driven by the real socket.io-client: the decorators, the guard, the pipes and
// the exception filter are Nest's own code paths. What the handlers call is faked.
import { type Server as HttpServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { MESSAGE_METADATA } from '@nestjs/websockets/constants';
import { JwtVerifier } from '@chat/auth-client';
import { type Ack, CLIENT_EVENT_SCHEMAS, LIMITS } from '@chat/contracts';
import { AppError } from '@chat/service-kit';
import { io, type Socket } from 'socket.io-client';
import { MessagingApi } from '../messaging-api/messaging-api.client';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import { PresenceReporter } from '../presence/presence-reporter';
import { TypingService } from '../presence/typing.service';
import { GatewayIoAdapter } from '../socket/gateway-io.adapter';
import { SocketServer } from '../socket/socket.server';
import { type GatewayServer } from '../socket/socket.types';
import { ClientEventsGateway, SYNCS_PER_CONNECTION } from './client-events.gateway';
import { CommandService } from './command.service';
import { PendingAcks } from './pending-acks';

const USER = '0b9b5f5e-4d8e-4a4b-9a51-2f6c1c0e7d10';
const CHANNEL = '7b0c7a4e-1c9b-4a57-9a8c-3f0f2a9d6c11';
const CLIENT_MSG = '9a0e1f3c-2b4d-4c6e-8f10-1a2b3c4d5e6f';
const send = { channelId: CHANNEL, clientMsgId: CLIENT_MSG, text: 'hi' };
const syncPayload = { channels: [{ channelId: CHANNEL, afterSeq: 0 }] };

describe('ClientEventsGateway', () => {
  let app: INestApplication;
  let client: Socket;
  const run = jest.fn<Promise<Ack<object> | undefined>, unknown[]>();
  const sync = jest.fn<Promise<unknown>, [string, unknown]>();
  const verify = jest.fn((token: string) =>
    token === 'expired' ? Promise.reject(new AppError('unauthorized', 'access token expired')) : Promise.resolve({ sub: token === 'other-user' ? 'someone-else' : USER }),
  );
  const typing = jest.fn<Promise<Ack>, unknown[]>();
  const setAway = jest.fn<boolean, [string, boolean]>();
  const dropSocket = jest.fn<number, [string]>();
  const connected = jest.fn();
  const eventsIn: string[] = [];
  const acked: [string, string][] = [];

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      providers: [
        ClientEventsGateway,
        {
          provide: SocketServer,
          // The handshake stand-in: every socket is USER's, with the token 'tok'.
          useValue: {
            bind: (server: GatewayServer) =>
              server.use((socket, next) => {
                socket.data = { user: { id: USER, username: 'u' }, token: 'tok', workspaceIds: [], channelIds: [], membershipCursor: 0 };
                next();
              }),
            connected,
          },
        },
        { provide: CommandService, useValue: { run } },
        { provide: MessagingApi, useValue: { sync } },
        { provide: PendingAcks, useValue: { dropSocket } },
        { provide: JwtVerifier, useValue: { verify } },
        { provide: TypingService, useValue: { typing } },
        { provide: PresenceReporter, useValue: { setAway } },
        { provide: GatewayMetrics, useValue: { eventsIn: { inc: ({ event }: { event: string }) => eventsIn.push(event) }, ackLatency: { observe: jest.fn() } } },
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.useWebSocketAdapter(
      new GatewayIoAdapter(app, {
        maxFrameBytes: 1024 * 1024,
        observer: { eventIn: (event) => eventsIn.push(event), acked: (event, outcome) => acked.push([event, outcome]) },
      }),
    );
    await app.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await app.close();
  });

  beforeEach(async () => {
    for (const mock of [run, sync, typing, setAway, dropSocket, connected]) mock.mockReset();
    verify.mockClear();
    run.mockResolvedValue({ ok: true });
    sync.mockResolvedValue({ messages: [], hasMore: false });
    typing.mockResolvedValue({ ok: true });
    setAway.mockReturnValue(true);
    eventsIn.length = 0;
    acked.length = 0;
    const address = (app.getHttpServer() as HttpServer).address() as AddressInfo;
    client = io(`http://127.0.0.1:${address.port}`, { path: '/socket.io', transports: ['websocket'], reconnection: false, forceNew: true });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', resolve);
      client.once('connect_error', reject);
    });
  });

  afterEach(() => {
    client.disconnect();
  });

  const request = (event: string, ...payload: unknown[]): Promise<unknown> => client.timeout(5_000).emitWithAck(event, ...payload);
  /** Resolves when the server's answers to earlier events have arrived (one round trip later). */
  const roundTrip = (): Promise<unknown> => request('presence:active', {});

  it('subscribes a handler to every client event of the contract', () => {
    const handled = Object.getOwnPropertyNames(ClientEventsGateway.prototype)
      .map((name) => Reflect.getMetadata(MESSAGE_METADATA, (ClientEventsGateway.prototype as unknown as Record<string, object>)[name]) as unknown)
      .filter((event) => event !== undefined);
    expect([...handled].sort()).toEqual(Object.keys(CLIENT_EVENT_SCHEMAS).sort());
  });

  it('hands the socket to SocketServer when it connects', () => {
    expect(connected).toHaveBeenCalledTimes(1);
  });

  it('runs a valid command with the socket and its user, and acknowledges its answer', async () => {
    run.mockResolvedValueOnce({ ok: true, message: { id: 'm' } } as unknown as Ack<object>);
    await expect(request('message:send', send)).resolves.toEqual({ ok: true, message: { id: 'm' } });
    expect(run).toHaveBeenCalledWith({ socketId: client.id, userId: USER }, 'message:send', send);
    expect(eventsIn).toEqual(['message:send']);
    expect(acked).toEqual([['message:send', 'ok']]);
  });

  it.each([
    ['message:edit', { channelId: CHANNEL, messageId: CLIENT_MSG, text: 'x' }],
    ['message:delete', { channelId: CHANNEL, messageId: CLIENT_MSG }],
    ['read', { channelId: CHANNEL, seq: 3 }],
  ])('turns %s into its command', async (event, payload) => {
    await request(event, payload);
    expect(run).toHaveBeenCalledWith({ socketId: client.id, userId: USER }, event, expect.objectContaining({ channelId: CHANNEL }));
  });

  it.each([
    ['not an object', ['hello'], { code: 'invalid', message: 'payload must be an object' }],
    ['a missing payload', [], { code: 'invalid', message: 'payload must be an object' }],
    ['extra arguments', [send, 'extra'], { code: 'invalid', message: 'expected one payload object and an acknowledgement callback' }],
    ['missing fields', [{ channelId: CHANNEL }], { code: 'invalid' }],
    ['wrong types', [{ channelId: CHANNEL, clientMsgId: CLIENT_MSG, text: 42 }], { code: 'invalid' }],
    ['text over the limit', [{ ...send, text: 'x'.repeat(LIMITS.messageTextMax + 1) }], { code: 'invalid', message: `text: must be at most ${LIMITS.messageTextMax} characters` }],
    ['payload over 64 KiB', [{ ...send, text: 'x'.repeat(70_000) }], { code: 'too_large' }],
  ])('answers %s with the protocol error, without running anything', async (_name, payload, error) => {
    const answer = await request('message:send', ...payload);
    expect(answer).toMatchObject({ ok: false, error });
    expect(Object.keys(answer as object)).toEqual(['ok', 'error']);
    expect(Object.keys((answer as { error: object }).error)).toEqual(['code', 'message']);
    expect(run).not.toHaveBeenCalled();
    expect(acked).toEqual([['message:send', error.code]]);
  });

  it('drops an event without acknowledgement, whatever its payload', async () => {
    client.emit('message:send', send);
    client.emit('message:send', 'x'.repeat(1_000));
    await roundTrip();
    expect(run).not.toHaveBeenCalled();
    expect(eventsIn).toEqual(['message:send', 'message:send', 'presence:active']);
  });

  it('answers nothing when the socket went away before the answer', async () => {
    run.mockResolvedValueOnce(undefined);
    await expect(client.timeout(300).emitWithAck('message:send', send)).rejects.toThrow(/timed out/);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('answers unavailable, and stays usable, when something unexpected throws', async () => {
    run.mockRejectedValueOnce(new TypeError('boom'));
    await expect(request('message:send', send)).resolves.toEqual({ ok: false, error: { code: 'unavailable', message: 'internal error; try again' } });
    await expect(request('message:send', send)).resolves.toEqual({ ok: true });
  });

  it("answers sync with messaging's messages, or messaging's error code", async () => {
    const payload = { channels: [{ channelId: CHANNEL, afterSeq: 4 }] };
    await expect(request('sync', payload)).resolves.toEqual({ ok: true, messages: [], hasMore: false });
    expect(sync).toHaveBeenCalledWith('tok', payload);
    sync.mockRejectedValueOnce(new AppError('forbidden', 'not a member'));
    await expect(request('sync', payload)).resolves.toEqual({ ok: false, error: { code: 'forbidden', message: 'not a member' } });
  });

  it('bounds the sync calls running at once per connection', async () => {
    const release: (() => void)[] = [];
    sync.mockImplementation(() => new Promise((resolve) => release.push(() => resolve({ messages: [], hasMore: false }))));
    const running = Array.from({ length: SYNCS_PER_CONNECTION }, () => request('sync', syncPayload));
    await expect(request('sync', syncPayload)).resolves.toEqual({
      ok: false,
      error: { code: 'rate_limited', message: `at most ${SYNCS_PER_CONNECTION} sync calls at once per connection` },
    });
    release.forEach((r) => r());
    await expect(Promise.all(running)).resolves.toEqual(running.map(() => ({ ok: true, messages: [], hasMore: false })));
    sync.mockResolvedValue({ messages: [], hasMore: false });
    await expect(request('sync', syncPayload)).resolves.toMatchObject({ ok: true });
  });

  it('takes a refreshed token of the same user for later sync calls', async () => {
    await expect(request('auth:refresh', { token: 'fresh' })).resolves.toEqual({ ok: true });
    await request('sync', syncPayload);
    expect(sync).toHaveBeenCalledWith('fresh', syncPayload);
  });

  it("refuses another user's token and an invalid one, keeping the old token", async () => {
    await expect(request('auth:refresh', { token: 'other-user' })).resolves.toEqual({ ok: false, error: { code: 'forbidden', message: 'the token belongs to another user' } });
    await expect(request('auth:refresh', { token: 'expired' })).resolves.toEqual({ ok: false, error: { code: 'unauthorized', message: 'access token expired' } });
    await expect(request('auth:refresh', { token: '' })).resolves.toMatchObject({ ok: false, error: { code: 'invalid' } });
    await request('sync', syncPayload);
    expect(sync).toHaveBeenCalledWith('tok', syncPayload);
  });

  it('hands typing and presence:away/active to the presence side, with the socket and its user', async () => {
    await expect(request('typing', { channelId: CHANNEL })).resolves.toEqual({ ok: true });
    expect(typing).toHaveBeenCalledWith(client.id, USER, { channelId: CHANNEL });
    await expect(request('presence:away', {})).resolves.toEqual({ ok: true });
    await expect(request('presence:active')).resolves.toEqual({ ok: true });
    expect(setAway.mock.calls).toEqual([
      [client.id, true],
      [client.id, false],
    ]);
    setAway.mockReturnValueOnce(false);
    await expect(request('presence:away', {})).resolves.toEqual({ ok: false, error: { code: 'unavailable', message: 'this connection is closing' } });
  });

  it('relays typing without an acknowledgement, and drops its bad payloads silently', async () => {
    client.emit('typing', { channelId: CHANNEL });
    client.emit('typing', { channelId: 1 });
    await roundTrip();
    expect(typing).toHaveBeenCalledTimes(1);
    expect(typing).toHaveBeenCalledWith(client.id, USER, { channelId: CHANNEL });
  });

  it('answers bad typing and presence payloads with invalid, without calling presence', async () => {
    await expect(request('typing', { channelId: 'nope' })).resolves.toMatchObject({ ok: false, error: { code: 'invalid' } });
    await expect(request('presence:away', 'x')).resolves.toEqual({ ok: false, error: { code: 'invalid', message: 'payload must be an object' } });
    expect(typing).not.toHaveBeenCalled();
    expect(setAway).not.toHaveBeenCalled();
  });

  it('answers unknown events that ask for an acknowledgement with invalid, and counts them', async () => {
    await expect(request('message:explode', {})).resolves.toEqual({ ok: false, error: { code: 'invalid', message: 'unknown event "message:explode"' } });
    expect(eventsIn).toEqual(['unknown']);
  });

  it("drops the socket's pending commands when it disconnects", async () => {
    const id = client.id;
    client.disconnect();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(dropSocket).toHaveBeenCalledWith(id);
  });
});
