import { type ChannelCommand, type Message } from '@chat/contracts';
import { type RateDecision } from '../rate-limit/send-rate-limiter';
import { CommandService, type CommandSettings } from './command.service';
import { PendingAcks } from './pending-acks';

const USER = '0b9b5f5e-4d8e-4a4b-9a51-2f6c1c0e7d10';
const CHANNEL = '7b0c7a4e-1c9b-4a57-9a8c-3f0f2a9d6c11';
const CLIENT_MSG = '9a0e1f3c-2b4d-4c6e-8f10-1a2b3c4d5e6f';
const MESSAGE: Message = {
  id: '5d1b2c3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  channelId: CHANNEL,
  seq: 7,
  senderId: USER,
  clientMsgId: CLIENT_MSG,
  text: 'hello',
  createdAt: '2026-01-01T00:00:00.000Z',
};
const context = { socketId: 'sock-1', userId: USER };
const send = { channelId: CHANNEL, clientMsgId: CLIENT_MSG, text: 'hello' };

/** The settings and the fakes of the service's collaborators (publisher, send limiter, reply consumer). */
interface Setup extends CommandSettings {
  publish: (command: ChannelCommand) => Promise<unknown>;
  sendLimiter: { consume(userId: string): Promise<RateDecision> };
  repliesReady: boolean;
}

function setup(overrides: Partial<Setup> = {}) {
  const pending = new PendingAcks();
  const published: ChannelCommand[] = [];
  let ids = 0;
  const deps: Setup = {
    gatewayId: 'gw-1',
    timeoutMs: 1_000,
    maxPendingPerSocket: 2,
    publish: (command) => {
      published.push(command);
      return Promise.resolve();
    },
    sendLimiter: { consume: () => Promise.resolve({ allowed: true }) },
    repliesReady: true,
    newId: () => `id-${++ids}`,
    now: () => new Date('2026-01-01T00:00:00.000Z'),
    ...overrides,
  };
  const service = new CommandService(deps, pending, { publish: (_requestId: string, command: ChannelCommand) => deps.publish(command), finished: () => undefined }, deps.sendLimiter, { ready: deps.repliesReady });
  return { service, pending, published };
}

/** Lets the service publish, then answers like messaging would. */
async function replyTo(published: ChannelCommand[], pending: PendingAcks, result: Parameters<PendingAcks['settle']>[1]): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  const command = published[published.length - 1];
  if (!command?.replyTo) throw new Error('nothing was published');
  pending.settle(command.replyTo.requestId, result);
}

describe('CommandService', () => {
  it('publishes a command addressed back to this instance and acknowledges the stored message', async () => {
    const { service, pending, published } = setup();
    const answer = service.run(context, 'message:send', send);
    await replyTo(published, pending, { ok: true, message: MESSAGE });
    await expect(answer).resolves.toEqual({ ok: true, message: MESSAGE });
    expect(published).toEqual([
      {
        type: 'message.send',
        commandId: 'id-2',
        userId: USER,
        issuedAt: '2026-01-01T00:00:00.000Z',
        replyTo: { gatewayId: 'gw-1', requestId: 'id-1' },
        payload: send,
      },
    ]);
  });

  it('acknowledges commands without a message as {ok:true}', async () => {
    const { service, pending, published } = setup();
    const answer = service.run(context, 'read', { channelId: CHANNEL, seq: 3 });
    await replyTo(published, pending, { ok: true });
    await expect(answer).resolves.toEqual({ ok: true });
    expect(published[0]?.type).toBe('read');
  });

  it('passes messaging\'s error on', async () => {
    const { service, pending, published } = setup();
    const answer = service.run(context, 'message:edit', { channelId: CHANNEL, messageId: MESSAGE.id, text: 'x' });
    await replyTo(published, pending, { ok: false, error: { code: 'forbidden', message: 'not your message' } });
    await expect(answer).resolves.toEqual({ ok: false, error: { code: 'forbidden', message: 'not your message' } });
  });

  it('answers unavailable when a send is acknowledged without its message', async () => {
    const { service, pending, published } = setup();
    const answer = service.run(context, 'message:send', send);
    await replyTo(published, pending, { ok: true });
    await expect(answer).resolves.toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });

  it('answers unavailable when no reply comes in time', async () => {
    jest.useFakeTimers();
    try {
      const { service } = setup();
      const answer = service.run(context, 'message:send', send);
      await jest.advanceTimersByTimeAsync(1_000);
      await expect(answer).resolves.toMatchObject({ ok: false, error: { code: 'unavailable' } });
    } finally {
      jest.useRealTimers();
    }
  });

  it('answers unavailable when the command cannot be published', async () => {
    const { service, pending } = setup({ publish: () => Promise.reject(new Error('broker down')) });
    await expect(service.run(context, 'message:send', send)).resolves.toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(pending.size).toBe(0);
  });

  it('answers nothing when the socket disconnected meanwhile', async () => {
    const { service, pending } = setup();
    const answer = service.run(context, 'message:send', send);
    await new Promise((resolve) => setImmediate(resolve));
    pending.dropSocket(context.socketId);
    await expect(answer).resolves.toBeUndefined();
  });

  it('refuses sends over the user\'s rate limit without publishing', async () => {
    const { service, published } = setup({ sendLimiter: { consume: () => Promise.resolve({ allowed: false, retryAfterMs: 1_500 }) } });
    await expect(service.run(context, 'message:send', send)).resolves.toEqual({
      ok: false,
      error: { code: 'rate_limited', message: 'too many messages; retry in 2 s', retryAfterMs: 1_500 },
    });
    expect(published).toHaveLength(0);
  });

  it('does not rate-limit other commands with the send budget', async () => {
    const consume = jest.fn(() => Promise.resolve({ allowed: false as const, retryAfterMs: 1 }));
    const { service, pending, published } = setup({ sendLimiter: { consume } });
    const answer = service.run(context, 'read', { channelId: CHANNEL, seq: 1 });
    await replyTo(published, pending, { ok: true });
    await expect(answer).resolves.toEqual({ ok: true });
    expect(consume).not.toHaveBeenCalled();
  });

  it('bounds the commands awaiting an answer per socket', async () => {
    const { service, pending } = setup();
    void service.run(context, 'read', { channelId: CHANNEL, seq: 1 });
    void service.run(context, 'read', { channelId: CHANNEL, seq: 2 });
    await new Promise((resolve) => setImmediate(resolve));
    await expect(service.run(context, 'read', { channelId: CHANNEL, seq: 3 })).resolves.toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    // Another connection of the same user has its own allowance.
    const other = service.run({ ...context, socketId: 'other' }, 'read', { channelId: CHANNEL, seq: 3 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(pending.countFor('other')).toBe(1);
    pending.dropAll();
    await expect(other).resolves.toBeUndefined();
  });

  it('answers unavailable while the reply consumer has not joined', async () => {
    const { service, published } = setup({ repliesReady: false });
    await expect(service.run(context, 'message:send', send)).resolves.toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(published).toHaveLength(0);
  });
  it("hands one socket's commands to Kafka in the order they were sent, however long each check takes", async () => {
    const delays = [30, 0];
    const { service, published, pending } = setup({
      maxPendingPerSocket: 10,
      sendLimiter: { consume: () => new Promise((resolve) => setTimeout(() => resolve({ allowed: true }), delays.shift() ?? 0)) },
    });
    const first = service.run(context, 'message:send', { ...send, text: 'first' });
    const second = service.run(context, 'message:send', { ...send, clientMsgId: 'b9a0e1f3-2b4d-4c6e-8f10-1a2b3c4d5e6f', text: 'second' });
    const other = service.run({ ...context, socketId: 'sock-2' }, 'read', { channelId: CHANNEL, seq: 1 });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(published.map((c) => (c.payload as { text?: string }).text ?? c.type)).toEqual(['read', 'first', 'second']);
    for (const command of published) pending.settle(command.replyTo!.requestId, { ok: true, message: MESSAGE });
    await expect(Promise.all([first, second, other])).resolves.toEqual([
      { ok: true, message: MESSAGE },
      { ok: true, message: MESSAGE },
      { ok: true },
    ]);
  });
});
