import { EventEmitter } from 'node:events';
import { type Ack, LIMITS } from '@chat/contracts';
import { AppError } from '@chat/service-kit';
import { type ClientConnection, ClientEvents, type ClientEventsDeps } from './client-events';

const USER = '0b9b5f5e-4d8e-4a4b-9a51-2f6c1c0e7d10';
const CHANNEL = '7b0c7a4e-1c9b-4a57-9a8c-3f0f2a9d6c11';
const CLIENT_MSG = '9a0e1f3c-2b4d-4c6e-8f10-1a2b3c4d5e6f';

/** An EventEmitter shaped like a socket: `emit` plays the client. */
class FakeConnection extends EventEmitter implements ClientConnection {
  readonly id = 'sock-1';
  readonly data = { user: { id: USER }, token: 'tok' };
  private readonly anyListeners: ((event: string, ...args: unknown[]) => void)[] = [];

  onAny(listener: (event: string, ...args: unknown[]) => void): this {
    this.anyListeners.push(listener);
    return this;
  }

  override emit(event: string, ...args: unknown[]): boolean {
    for (const listener of this.anyListeners) listener(event, ...args);
    return super.emit(event, ...args);
  }

  /** Emits like a client with an acknowledgement, resolving with the answer. */
  request(event: string, ...payload: unknown[]): Promise<Ack<object>> {
    return new Promise((resolve) => this.emit(event, ...payload, resolve));
  }
}

function setup(overrides: Partial<ClientEventsDeps> = {}) {
  const run = jest.fn<ReturnType<ClientEventsDeps['commands']['run']>, Parameters<ClientEventsDeps['commands']['run']>>(() => Promise.resolve({ ok: true }));
  const sync = jest.fn<ReturnType<ClientEventsDeps['sync']>, Parameters<ClientEventsDeps['sync']>>(() => Promise.resolve({ messages: [], hasMore: false }));
  const onDisconnect = jest.fn();
  const verifyToken = jest.fn((token: string) =>
    token === 'expired' ? Promise.reject(new AppError('unauthorized', 'access token expired')) : Promise.resolve(token === 'other-user' ? 'someone-else' : USER),
  );
  const typing = jest.fn<ReturnType<ClientEventsDeps['typing']>, Parameters<ClientEventsDeps['typing']>>(() => Promise.resolve({ ok: true }));
  const setAway = jest.fn<boolean, [string, boolean]>(() => true);
  const acked: [string, string][] = [];
  const events = new ClientEvents({
    maxPayloadBytes: LIMITS.socketPayloadMaxBytes,
    maxConcurrentSyncs: 2,
    commands: { run },
    sync,
    verifyToken,
    onDisconnect,
    typing,
    setAway,
    observe: { eventIn: () => undefined, acked: (event, outcome) => acked.push([event, outcome]) },
    ...overrides,
  });
  const connection = new FakeConnection();
  events.bind(connection);
  return { connection, run, sync, onDisconnect, acked, typing, setAway };
}

const send = { channelId: CHANNEL, clientMsgId: CLIENT_MSG, text: 'hi' };

describe('ClientEvents', () => {
  it('takes a refreshed token of the same user for later sync calls', async () => {
    const { connection, sync } = setup();
    await expect(connection.request('auth:refresh', { token: 'fresh' })).resolves.toEqual({ ok: true });
    await connection.request('sync', { channels: [{ channelId: CHANNEL, afterSeq: 0 }] });
    expect(sync).toHaveBeenCalledWith('fresh', { channels: [{ channelId: CHANNEL, afterSeq: 0 }] });
  });

  it("refuses another user's token and an invalid one, keeping the old token", async () => {
    const { connection, sync } = setup();
    await expect(connection.request('auth:refresh', { token: 'other-user' })).resolves.toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await expect(connection.request('auth:refresh', { token: 'expired' })).resolves.toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    await expect(connection.request('auth:refresh', { token: '' })).resolves.toMatchObject({ ok: false, error: { code: 'invalid' } });
    await connection.request('sync', { channels: [{ channelId: CHANNEL, afterSeq: 0 }] });
    expect(sync).toHaveBeenCalledWith('tok', expect.anything());
  });

  it('runs a valid command and acknowledges its answer', async () => {
    const { connection, run, acked } = setup();
    await expect(connection.request('message:send', send)).resolves.toEqual({ ok: true });
    expect(run).toHaveBeenCalledWith({ socketId: 'sock-1', userId: USER }, 'message:send', send);
    expect(acked).toEqual([['message:send', 'ok']]);
  });

  it.each([
    ['not an object', ['hello'], 'invalid'],
    ['missing fields', [{ channelId: CHANNEL }], 'invalid'],
    ['wrong types', [{ channelId: CHANNEL, clientMsgId: CLIENT_MSG, text: 42 }], 'invalid'],
    ['text over the limit', [{ ...send, text: 'x'.repeat(LIMITS.messageTextMax + 1) }], 'invalid'],
    ['payload over 64 KiB', [{ ...send, text: 'x'.repeat(70_000) }], 'too_large'],
  ])('answers %s with %s, without running anything', async (_name, payload, code) => {
    const { connection, run } = setup();
    const answer = await connection.request('message:send', ...payload);
    expect(answer).toMatchObject({ ok: false, error: { code } });
    expect(run).not.toHaveBeenCalled();
  });

  it('drops an event without acknowledgement', async () => {
    const { connection, run } = setup();
    connection.emit('message:send', send);
    await new Promise((resolve) => setImmediate(resolve));
    expect(run).not.toHaveBeenCalled();
  });

  it('answers sync with messaging\'s messages, or messaging\'s error code', async () => {
    const { connection, sync } = setup();
    const payload = { channels: [{ channelId: CHANNEL, afterSeq: 4 }] };
    await expect(connection.request('sync', payload)).resolves.toEqual({ ok: true, messages: [], hasMore: false });
    expect(sync).toHaveBeenCalledWith('tok', payload);
    sync.mockRejectedValueOnce(new AppError('forbidden', 'not a member'));
    await expect(connection.request('sync', payload)).resolves.toEqual({ ok: false, error: { code: 'forbidden', message: 'not a member' } });
  });

  it('bounds the sync calls running at once per connection', async () => {
    const { connection, sync } = setup();
    const release: (() => void)[] = [];
    sync.mockImplementation(() => new Promise((resolve) => release.push(() => resolve({ messages: [], hasMore: false }))));
    const payload = { channels: [{ channelId: CHANNEL, afterSeq: 0 }] };
    const first = connection.request('sync', payload);
    const second = connection.request('sync', payload);
    await expect(connection.request('sync', payload)).resolves.toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    release.forEach((r) => r());
    await expect(Promise.all([first, second])).resolves.toEqual([
      { ok: true, messages: [], hasMore: false },
      { ok: true, messages: [], hasMore: false },
    ]);
    sync.mockResolvedValue({ messages: [], hasMore: false });
    await expect(connection.request('sync', payload)).resolves.toMatchObject({ ok: true });
  });

  it('answers unavailable, and stays usable, when something unexpected throws', async () => {
    const { connection, run } = setup();
    run.mockRejectedValueOnce(new TypeError('boom'));
    await expect(connection.request('message:send', send)).resolves.toMatchObject({ ok: false, error: { code: 'unavailable' } });
    await expect(connection.request('message:send', send)).resolves.toEqual({ ok: true });
  });

  it('survives an acknowledgement callback that throws', async () => {
    const { connection, run } = setup();
    expect(() => connection.emit('message:send', send, () => {
      throw new Error('client-side bug');
    })).not.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('answers nothing when the socket went away before the answer', async () => {
    const { connection, run } = setup();
    run.mockResolvedValueOnce(undefined);
    const ack = jest.fn();
    connection.emit('message:send', send, ack);
    await new Promise((resolve) => setImmediate(resolve));
    expect(ack).not.toHaveBeenCalled();
  });

  it('hands typing and presence:away/active to the presence side, with the socket and its user', async () => {
    const { connection, typing, setAway } = setup();
    await expect(connection.request('typing', { channelId: CHANNEL })).resolves.toEqual({ ok: true });
    expect(typing).toHaveBeenCalledWith(connection.id, USER, { channelId: CHANNEL });
    await expect(connection.request('presence:away', {})).resolves.toEqual({ ok: true });
    await expect(connection.request('presence:active', {})).resolves.toEqual({ ok: true });
    expect(setAway.mock.calls).toEqual([[connection.id, true], [connection.id, false]]);
    setAway.mockReturnValueOnce(false);
    await expect(connection.request('presence:away', {})).resolves.toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });

  it('answers bad typing and presence payloads with invalid, without calling presence', async () => {
    const { connection, typing, setAway } = setup();
    await expect(connection.request('typing', { channelId: 'nope' })).resolves.toMatchObject({ ok: false, error: { code: 'invalid' } });
    await expect(connection.request('presence:away', 'x')).resolves.toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(typing).not.toHaveBeenCalled();
    expect(setAway).not.toHaveBeenCalled();
  });

  it('answers unknown events that ask for an acknowledgement with invalid', async () => {
    const { connection } = setup();
    await expect(connection.request('message:explode', {})).resolves.toEqual({ ok: false, error: { code: 'invalid', message: 'unknown event "message:explode"' } });
  });

  it('drops the socket\'s pending commands when it disconnects', () => {
    const { connection, onDisconnect } = setup();
    connection.emit('disconnect', 'transport close');
    expect(onDisconnect).toHaveBeenCalledWith('sock-1');
  });
});
