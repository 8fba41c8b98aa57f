// The gateway as a real process (its own entry point) against the real Kafka and Redis, driven
// by the real Socket.IO client and HTTP. The test plays the rest of the system: a local JWKS
// server with locally signed Ed25519 tokens (auth), a REST stand-in and a Kafka stand-in
// (messaging). Every run has its own Kafka topic prefix and fresh user and channel ids.
import { randomUUID } from 'node:crypto';
import {
  type Ack,
  type Channel,
  type ClientToServerEvents,
  LIMITS,
  type Message,
  type SendMessagePayload,
  type ServerToClientEvents,
} from '@chat/contracts';
import { freePort, ServiceProcess, sleep, uniqueName, waitFor } from '@chat/testing';
import { io, type Socket } from 'socket.io-client';
import { FakeMessagingHttp } from './testing/fake-messaging-http';
import { LocalAuth } from './testing/local-auth';
import { MessagingStandIn } from './testing/messaging-stand-in';

jest.setTimeout(120_000);

const KAFKA_BROKERS = process.env.KAFKA_BROKERS || '127.0.0.1:9092';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const COMMAND_TIMEOUT_MS = 2_000;
const SEND_BURST = 8;
/** The gateway's default SOCKET_MAX_FRAME_BYTES (not set below: the specs test the default). */
const SOCKET_MAX_FRAME_BYTES = 16 * 1024 * 1024;

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
/** The same socket without the event map, to send what the contract forbids. */
type RawSocket = Socket;

interface User {
  id: string;
  name: string;
  token: string;
}

const workspaceId = randomUUID();
const channelOf = (id: string): Channel => ({
  id,
  workspaceId,
  kind: 'public',
  name: `c-${id.slice(0, 8)}`,
  private: false,
  createdBy: randomUUID(),
  createdAt: new Date().toISOString(),
});

describe('gateway (real Kafka, Redis, Socket.IO client)', () => {
  const topicPrefix = `${uniqueName('gw')}.`;
  const gatewayId = uniqueName('gateway-');
  const general = randomUUID();
  const random = randomUUID();
  const warmup = randomUUID();
  const sockets: ClientSocket[] = [];

  let auth: LocalAuth;
  let messagingHttp: FakeMessagingHttp;
  let standIn: MessagingStandIn;
  let gateway: ServiceProcess;
  let metricsUrl: string;
  let alice: User;
  let bob: User;
  let carol: User;
  let aliceLaptop: ClientSocket;
  let alicePhone: ClientSocket;
  let bobSocket: ClientSocket;
  let carolSocket: ClientSocket;

  async function newUser(name: string, channelIds: string[]): Promise<User> {
    const id = randomUUID();
    messagingHttp.setMemberships(id, { workspaceIds: [workspaceId], channelIds });
    return { id, name, token: await auth.token(id, name) };
  }

  function open(token: unknown, transports: ('websocket' | 'polling')[] = ['websocket']): ClientSocket {
    const socket: ClientSocket = io(gateway.url, { auth: { token }, transports, reconnection: false, forceNew: true });
    sockets.push(socket);
    return socket;
  }

  function connect(token: unknown, transports?: ('websocket' | 'polling')[]): Promise<ClientSocket> {
    const socket = open(token, transports);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', reject);
    });
  }

  function refusal(token: unknown): Promise<{ message: string; data: unknown }> {
    const socket = open(token);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => reject(new Error('connected although it should have been refused')));
      socket.once('connect_error', (error: Error & { data?: unknown }) => resolve({ message: error.message, data: error.data }));
    });
  }

  /** Everything one socket receives of one event, from now on. */
  function collect<E extends keyof ServerToClientEvents>(socket: ClientSocket, event: E): Parameters<ServerToClientEvents[E]>[0][] {
    const received: Parameters<ServerToClientEvents[E]>[0][] = [];
    const listener = (payload: Parameters<ServerToClientEvents[E]>[0]) => received.push(payload);
    (socket.on as (event: E, listener: (payload: Parameters<ServerToClientEvents[E]>[0]) => void) => void)(event, listener);
    return received;
  }

  function raw(socket: ClientSocket): RawSocket {
    return socket;
  }

  function sendPayload(channelId: string, text = 'hello'): SendMessagePayload {
    return { channelId, clientMsgId: randomUUID(), text };
  }

  function send(socket: ClientSocket, payload: SendMessagePayload): Promise<Ack<{ message: Message }>> {
    return socket.timeout(COMMAND_TIMEOUT_MS + 8_000).emitWithAck('message:send', payload);
  }

  function message(channelId: string, seq: number, text = `message ${seq}`): Message {
    return { id: randomUUID(), channelId, seq, senderId: bob.id, clientMsgId: randomUUID(), text, createdAt: new Date().toISOString() };
  }

  beforeAll(async () => {
    auth = await LocalAuth.start();
    messagingHttp = await FakeMessagingHttp.start();
    const down = `http://127.0.0.1:${await freePort()}`;
    const metricsPort = await freePort();
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    gateway = new ServiceProcess({
      service: 'gateway',
      name: gatewayId,
      port: await freePort(),
      env: {
        KAFKA_BROKERS,
        KAFKA_TOPIC_PREFIX: topicPrefix,
        REDIS_URL,
        JWKS_URL: auth.jwksUrl,
        MESSAGING_URL: messagingHttp.url,
        AUTH_URL: down,
        PRESENCE_URL: down,
        FILES_URL: down,
        SEND_RATE_LIMIT: `${SEND_BURST}/3s`,
        COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS),
        PROXY_TIMEOUT_MS: '2000',
        METRICS_PORT: String(metricsPort),
      },
    }).start();
    await gateway.waitReady(90_000);
    standIn = await MessagingStandIn.start({ brokers: KAFKA_BROKERS.split(','), topicPrefix, gatewayId });

    alice = await newUser('alice', [general, warmup]);
    bob = await newUser('bob', [general]);
    carol = await newUser('carol', [random]);
    [aliceLaptop, alicePhone, bobSocket, carolSocket] = await Promise.all([
      connect(alice.token),
      connect(alice.token, ['polling', 'websocket']),
      connect(bob.token),
      connect(carol.token),
    ]);

    // Topics created a moment ago take a few seconds to settle: wait until both directions flow.
    await waitFor(
      'commands to be answered',
      async () => {
        const answer = (await aliceLaptop
          .timeout(COMMAND_TIMEOUT_MS + 2_000)
          .emitWithAck('read', { channelId: warmup, seq: 0 })
          .catch(() => undefined)) as Ack | undefined;
        return answer?.ok === true;
      },
      60_000,
      200,
    );
    const warm = collect(aliceLaptop, 'message:new');
    let seq = 0;
    await waitFor(
      'events to be delivered',
      async () => {
        await standIn.publishCreated(message(warmup, ++seq));
        await sleep(300);
        return warm.length > 0;
      },
      60_000,
      0,
    );
  });

  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await standIn?.close();
    await gateway?.stop();
    await messagingHttp?.close();
    await auth?.close();
  });

  describe('handshake', () => {
    it('refuses a connection without a token', async () => {
      await expect(refusal(undefined)).resolves.toEqual({ message: 'unauthorized', data: { code: 'unauthorized', message: 'auth.token is missing' } });
    });

    it('refuses a malformed token', async () => {
      await expect(refusal('not-a-jwt')).resolves.toMatchObject({ message: 'unauthorized' });
      await expect(refusal(42)).resolves.toMatchObject({ message: 'unauthorized' });
    });

    it('refuses a token signed by a key auth never published', async () => {
      await expect(refusal(await auth.foreignToken(alice.id, 'alice'))).resolves.toMatchObject({ message: 'unauthorized' });
    });

    it('refuses an expired token', async () => {
      await expect(refusal(await auth.token(alice.id, 'alice', { expiresIn: -60 }))).resolves.toEqual({
        message: 'unauthorized',
        data: { code: 'unauthorized', message: 'access token expired' },
      });
    });

    it('accepts a valid token, asking messaging for the memberships with it', async () => {
      const socket = await connect(alice.token);
      expect(socket.connected).toBe(true);
      const fetched = messagingHttp.received.filter((r) => r.url === '/api/me/memberships');
      expect(fetched.some((r) => r.headers.authorization === `Bearer ${alice.token}`)).toBe(true);
      socket.disconnect();
    });
  });

  describe('one origin', () => {
    it('proxies /api to messaging with forwarding headers', async () => {
      const response = await fetch(`${gateway.url}/api/workspaces?limit=3`, { method: 'POST', body: '{"name":"x"}', headers: { 'content-type': 'application/json' } });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ echo: { method: 'POST', url: '/api/workspaces?limit=3', body: '{"name":"x"}' } });
      const seen = messagingHttp.received.find((r) => r.url === '/api/workspaces?limit=3');
      expect(seen?.headers['x-forwarded-for']).toBeDefined();
    });

    it('answers 503 unavailable for a service that is down', async () => {
      const response = await fetch(`${gateway.url}/auth/login`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ error: { code: 'unavailable', message: 'the auth service is unavailable; try again' } });
    });

    it('answers unknown paths 404 not_found and keeps its own routes', async () => {
      const unknown = await fetch(`${gateway.url}/nowhere`);
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) as string } });
      expect((await fetch(`${gateway.url}/health/live`)).status).toBe(200);
      // Metrics only on the internal port: the public origin answers 404 for /metrics.
      const publicMetrics = await fetch(`${gateway.url}/metrics`);
      expect(publicMetrics.status).toBe(404);
      expect(await publicMetrics.text()).not.toContain('gateway_sockets_connected');
      expect(await (await fetch(metricsUrl)).text()).toContain('gateway_sockets_connected');
    });
  });

  describe('sending', () => {
    it('acknowledges the stored message and delivers it to every device of every member, once', async () => {
      const [laptop, phone, bobs, carols] = [aliceLaptop, alicePhone, bobSocket, carolSocket].map((s) => collect(s, 'message:new'));
      const payload = sendPayload(general, 'hello everyone');
      const answer = await send(aliceLaptop, payload);
      expect(answer).toMatchObject({ ok: true, message: { channelId: general, clientMsgId: payload.clientMsgId, senderId: alice.id, text: 'hello everyone' } });
      await waitFor('delivery to all devices', () => laptop.length > 0 && phone.length > 0 && bobs.length > 0);
      await sleep(300);
      for (const received of [laptop, phone, bobs]) {
        expect(received).toHaveLength(1);
        expect(received[0]).toMatchObject({ clientMsgId: payload.clientMsgId, seq: answer.ok ? answer.message.seq : -1 });
      }
      expect(carols).toHaveLength(0);
    });

    it('delivers a send repeated in the sequenced log (same seq) only once', async () => {
      const received = collect(bobSocket, 'message:new');
      const first = message(general, standIn.nextSeq(general));
      await standIn.publishCreated(first);
      await standIn.publishCreated(first); // an ambiguous produce retried
      const next = message(general, standIn.nextSeq(general));
      await standIn.publishCreated(next); // same partition, so it arrives after the repeat
      await waitFor('the next message', () => received.some((m) => m.seq === next.seq));
      expect(received.map((m) => m.seq)).toEqual([first.seq, next.seq]);
    });

    it('delivers message:updated to the channel', async () => {
      const received = collect(alicePhone, 'message:updated');
      const edited = { ...message(general, 1), text: 'edited', editedAt: new Date().toISOString() };
      await standIn.publishUpdated(edited);
      await waitFor('the update', () => received.length > 0);
      expect(received[0]).toEqual(edited);
    });

    it('passes messaging\'s refusal on, and answers unavailable when messaging does not answer in time', async () => {
      await expect(send(aliceLaptop, sendPayload(general, 'refuse this'))).resolves.toEqual({
        ok: false,
        error: { code: 'forbidden', message: 'not a member of this channel' },
      });
      const started = Date.now();
      const answer = await send(aliceLaptop, sendPayload(general, 'ignore this'));
      expect(answer).toMatchObject({ ok: false, error: { code: 'unavailable' } });
      expect(Date.now() - started).toBeGreaterThanOrEqual(COMMAND_TIMEOUT_MS - 100);
      expect(aliceLaptop.connected).toBe(true);
    });
  });

  describe('bad input', () => {
    it('answers each bad payload with its code and keeps the connection open', async () => {
      const dave = await newUser('dave', [general]);
      const socket = await connect(dave.token);
      const ask = (...args: unknown[]) => raw(socket).timeout(5_000).emitWithAck('message:send', ...args) as Promise<Ack>;
      const valid = sendPayload(general);
      const cases: [string, unknown[], string][] = [
        ['a string', ['hello'], 'invalid'],
        ['an array', [[valid]], 'invalid'],
        ['null', [null], 'invalid'],
        ['no payload', [], 'invalid'],
        ['missing fields', [{ channelId: general }], 'invalid'],
        ['wrong types', [{ ...valid, text: 42, clientMsgId: 'x' }], 'invalid'],
        ['text over 4,000 characters', [{ ...valid, text: 'a'.repeat(LIMITS.messageTextMax + 1) }], 'invalid'],
        ['a payload over 64 KiB', [{ ...valid, text: 'a'.repeat(70 * 1024) }], 'too_large'],
        ['a payload of almost 1 MiB', [{ ...valid, padding: 'a'.repeat(1000 * 1024) }], 'too_large'],
      ];
      for (const [name, args, code] of cases) {
        const answer = await ask(...args);
        expect({ name, answer }).toMatchObject({ name, answer: { ok: false, error: { code } } });
        expect(socket.connected).toBe(true);
      }
      const missing = await ask({ channelId: general });
      expect(missing.ok ? '' : missing.error.message).toMatch(/clientMsgId.*text|text.*clientMsgId/);
      const tooLong = await ask({ ...valid, text: 'a'.repeat(LIMITS.messageTextMax + 1) });
      expect(tooLong.ok ? '' : tooLong.error.message).toMatch(/^text: /);

      // Other events, an unknown event, and an event without acknowledgement.
      await expect(raw(socket).timeout(5_000).emitWithAck('read', { channelId: general, seq: -1 })).resolves.toMatchObject({ ok: false, error: { code: 'invalid' } });
      await expect(raw(socket).timeout(5_000).emitWithAck('sync', { channels: [] })).resolves.toMatchObject({ ok: false, error: { code: 'invalid' } });
      await expect(raw(socket).timeout(5_000).emitWithAck('no:such:event', {})).resolves.toMatchObject({ ok: false, error: { code: 'invalid' } });
      raw(socket).emit('message:send', valid);

      // Still connected, and a valid event gets a valid answer.
      await expect(send(socket, sendPayload(general, 'after the bad ones'))).resolves.toMatchObject({ ok: true, message: { text: 'after the bad ones' } });
      expect(gateway.running).toBe(true);
    });

    it.each([['websocket'], ['polling']] as const)(
      'answers too_large to a frame of several MiB over %s, and keeps the connection',
      async (transport) => {
        const erin = await newUser(`erin-${transport}`, [general]);
        const socket = await connect(erin.token, [transport]);
        const disconnected = jest.fn();
        socket.on('disconnect', disconnected);
        for (const size of [1536 * 1024, 12 * 1024 * 1024]) {
          const answer = (await raw(socket).timeout(20_000).emitWithAck('message:send', { ...sendPayload(general), text: 'a'.repeat(size) })) as Ack;
          expect(answer).toMatchObject({ ok: false, error: { code: 'too_large' } });
        }
        // An oversized frame without an acknowledgement is dropped, quietly.
        raw(socket).emit('message:send', { ...sendPayload(general), text: 'a'.repeat(2 * 1024 * 1024) });
        await expect(send(socket, sendPayload(general, 'after the big ones'))).resolves.toMatchObject({ ok: true, message: { text: 'after the big ones' } });
        expect(socket.connected).toBe(true);
        expect(disconnected).not.toHaveBeenCalled();
        socket.close();
      },
    );

    it('closes only the transport beyond SOCKET_MAX_FRAME_BYTES; the process keeps serving', async () => {
      const erin = await newUser('erin', [general]);
      const socket = await connect(erin.token);
      const closed = new Promise<string>((resolve) => socket.once('disconnect', resolve));
      raw(socket).emit('message:send', { ...sendPayload(general), text: 'a'.repeat(SOCKET_MAX_FRAME_BYTES + 1024) }, () => undefined);
      await expect(closed).resolves.toMatch(/transport close|transport error|parse error/);
      expect(gateway.running).toBe(true);
      const again = await connect(erin.token);
      await expect(send(again, sendPayload(general, 'back again'))).resolves.toMatchObject({ ok: true });
    });

    it('rate-limits a flood of sends per user, answering rate_limited and keeping the connection', async () => {
      const frank = await newUser('frank', [general]);
      const [first, second] = await Promise.all([connect(frank.token), connect(frank.token)]);
      const flood = Array.from({ length: 30 }, (_, i) => send(i % 2 === 0 ? first : second, sendPayload(general, `flood ${i}`)));
      const answers = await Promise.all(flood);
      const accepted = answers.filter((a) => a.ok);
      const limited = answers.filter((a) => !a.ok && a.error.code === 'rate_limited');
      // One budget for the user across both connections (and every gateway instance).
      expect(accepted).toHaveLength(SEND_BURST);
      expect(limited).toHaveLength(30 - SEND_BURST);
      expect(first.connected && second.connected).toBe(true);
      // Other events are not charged to the send budget.
      await expect(first.timeout(5_000).emitWithAck('sync', { channels: [{ channelId: general, afterSeq: 0 }] })).resolves.toEqual({
        ok: true,
        messages: [],
        hasMore: false,
      });
      expect(gateway.running).toBe(true);
    });
  });

  describe('sync', () => {
    it('answers with messaging\'s messages, or with the code messaging answered', async () => {
      const stored = message(general, 1);
      messagingHttp.syncAnswer = { status: 200, body: { messages: [stored], hasMore: true } };
      await expect(aliceLaptop.timeout(5_000).emitWithAck('sync', { channels: [{ channelId: general, afterSeq: 0 }], limit: 1 })).resolves.toEqual({
        ok: true,
        messages: [stored],
        hasMore: true,
      });
      const request = messagingHttp.received.filter((r) => r.url === '/api/sync').pop();
      expect(request?.headers.authorization).toBe(`Bearer ${alice.token}`);
      expect(JSON.parse(request?.body ?? '{}')).toEqual({ channels: [{ channelId: general, afterSeq: 0 }], limit: 1 });

      messagingHttp.syncAnswer = { status: 403, body: { error: { code: 'forbidden', message: 'not a member' } } };
      await expect(aliceLaptop.timeout(5_000).emitWithAck('sync', { channels: [{ channelId: general, afterSeq: 0 }] })).resolves.toEqual({
        ok: false,
        error: { code: 'forbidden', message: 'not a member' },
      });
      messagingHttp.syncAnswer = { status: 200, body: { messages: [], hasMore: false } };
    });
  });

  describe('read markers and memberships', () => {
    it('acknowledges read and tells the user\'s other devices', async () => {
      const onPhone = collect(alicePhone, 'read');
      await expect(aliceLaptop.timeout(10_000).emitWithAck('read', { channelId: general, seq: 2 })).resolves.toEqual({ ok: true });
      await waitFor('the read marker on the other device', () => onPhone.some((r) => r.channelId === general && r.seq === 2));
    });

    it('moves a user\'s sockets into a channel they joined, and out of one they left', async () => {
      const joined = collect(carolSocket, 'channel:joined');
      const left = collect(carolSocket, 'channel:left');
      const carolsMessages = collect(carolSocket, 'message:new');
      const bobsMessages = collect(bobSocket, 'message:new');

      const channel = channelOf(general);
      await standIn.publishMembership({ userId: carol.id, channel, change: 'joined' });
      await waitFor('channel:joined', () => joined.length > 0);
      expect(joined[0]).toEqual({ channel });
      const whileMember = message(general, standIn.nextSeq(general));
      await standIn.publishCreated(whileMember);
      await waitFor('the message to reach carol', () => carolsMessages.some((m) => m.seq === whileMember.seq));

      await standIn.publishMembership({ userId: carol.id, channel, change: 'left' });
      await waitFor('channel:left', () => left.length > 0);
      expect(left[0]).toEqual({ channel });
      const afterLeaving = message(general, standIn.nextSeq(general));
      await standIn.publishCreated(afterLeaving);
      await waitFor('the message to reach bob', () => bobsMessages.some((m) => m.seq === afterLeaving.seq));
      await sleep(300);
      expect(carolsMessages.map((m) => m.seq)).toEqual([whileMember.seq]);
    });

    it('applies membership changes consumed while a connecting socket\'s memberships were being fetched', async () => {
      const grace = await newUser('grace', [general]);
      // A slow messaging that answers what was true before the changes below.
      messagingHttp.setMemberships(grace.id, { workspaceIds: [workspaceId], channelIds: [general] }, 1_500);
      const connecting = connect(grace.token);
      await waitFor('the memberships request', () =>
        messagingHttp.received.some((r) => r.url === '/api/me/memberships' && r.headers.authorization === `Bearer ${grace.token}`),
      );
      await standIn.publishMembership({ userId: grace.id, channel: channelOf(random), change: 'joined' });
      await standIn.publishMembership({ userId: grace.id, channel: channelOf(general), change: 'left' });
      const socket = await connecting;
      const gracesMessages = collect(socket, 'message:new');
      const bobsMessages = collect(bobSocket, 'message:new');

      const inJoined = message(random, standIn.nextSeq(random));
      await standIn.publishCreated(inJoined);
      await waitFor('the message in the channel joined meanwhile', () => gracesMessages.some((m) => m.seq === inJoined.seq));
      const inLeft = message(general, standIn.nextSeq(general));
      await standIn.publishCreated(inLeft);
      await waitFor('bob to get the message in the channel grace left', () => bobsMessages.some((m) => m.seq === inLeft.seq));
      await sleep(300);
      expect(gracesMessages.map((m) => m.channelId)).toEqual([random]);
    });
  });

  describe('shutdown', () => {
    it('disconnects its sockets and exits 0 on SIGTERM, without logging errors', async () => {
      const disconnected = new Promise<string>((resolve) => bobSocket.once('disconnect', resolve));
      expect(await gateway.stop()).toBe(0);
      await expect(disconnected).resolves.toBeDefined();
      expect(gateway.logs()).not.toContain('"level":50');
    });
  });
});
