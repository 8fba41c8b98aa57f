import { type ClientEventName, type ErrorDetail, LIMITS } from '@chat/contracts';
import { AppError } from '@chat/service-kit';
import { ClientPayloadPipe, serializedSize } from './client-payload.pipe';

const CHANNEL = '7b0c7a4e-1c9b-4a57-9a8c-3f0f2a9d6c11';
const CLIENT_MSG = '9a0e1f3c-2b4d-4c6e-8f10-1a2b3c4d5e6f';
const send = (overrides: Record<string, unknown> = {}) => ({ channelId: CHANNEL, clientMsgId: CLIENT_MSG, text: 'hello', ...overrides });

/** The pipe's payload, or the error it threw (as the protocol's error detail). */
function check(event: ClientEventName, args: readonly unknown[]): { payload: unknown } | { error: ErrorDetail } {
  try {
    return { payload: new ClientPayloadPipe(event).transform(args) };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { error: { code: error.code, message: error.message } };
  }
}

describe('ClientPayloadPipe', () => {
  it('passes a valid payload', () => {
    expect(check('message:send', [send()])).toEqual({ payload: send() });
  });

  it('answers too_large above the byte limit, before looking at the schema', () => {
    const text = 'é'.repeat(40_000); // 80,000 bytes of UTF-8, well over 64 KiB
    expect(check('message:send', [send({ text })])).toMatchObject({ error: { code: 'too_large' } });
    const size = serializedSize([send({ text })]);
    expect(check('message:send', [send({ text })])).toEqual({
      error: { code: 'too_large', message: `payload is ${size} bytes; at most ${LIMITS.socketPayloadMaxBytes} are accepted` },
    });
  });

  it('accepts a payload just under the byte limit (the schema then decides)', () => {
    const payload = { channels: [{ channelId: CHANNEL, afterSeq: 1 }], padding: 'x'.repeat(LIMITS.socketPayloadMaxBytes - 200) };
    expect(serializedSize([payload])).toBeLessThanOrEqual(LIMITS.socketPayloadMaxBytes);
    expect(check('sync', [payload])).toHaveProperty('payload');
  });

  it.each([['a string'], [42], [null], [[send()]], [true]])('answers invalid for the non-object payload %p', (payload) => {
    expect(check('message:send', [payload])).toEqual({ error: { code: 'invalid', message: 'payload must be an object' } });
  });

  it('answers invalid for a missing payload', () => {
    expect(check('message:send', [])).toEqual({ error: { code: 'invalid', message: 'payload must be an object' } });
  });

  it('answers invalid for extra arguments', () => {
    expect(check('message:send', [send(), 'extra'])).toEqual({ error: { code: 'invalid', message: 'expected one payload object and an acknowledgement callback' } });
  });

  it('answers invalid for arguments that cannot be serialized', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(check('message:send', [cyclic])).toEqual({ error: { code: 'invalid', message: 'payload is not serializable' } });
  });

  it('names the missing or wrong fields', () => {
    const missing = check('message:send', [{ channelId: CHANNEL }]);
    if (!('error' in missing)) throw new Error('expected a rejection');
    expect(missing.error.code).toBe('invalid');
    expect(missing.error.message).toContain('clientMsgId');
    expect(missing.error.message).toContain('text');

    const wrongType = check('read', [{ channelId: CHANNEL, seq: 'seven' }]);
    if (!('error' in wrongType)) throw new Error('expected a rejection');
    expect(wrongType.error.message).toMatch(/^seq: /);

    const notUuid = check('message:send', [send({ channelId: 'general' })]);
    if (!('error' in notUuid)) throw new Error('expected a rejection');
    expect(notUuid.error.message).toMatch(/^channelId: /);
  });

  it('answers invalid for text over the character limit, and accepts exactly the limit', () => {
    expect(check('message:send', [send({ text: 'a'.repeat(LIMITS.messageTextMax + 1) })])).toEqual({
      error: { code: 'invalid', message: `text: must be at most ${LIMITS.messageTextMax} characters` },
    });
    expect(check('message:send', [send({ text: 'a'.repeat(LIMITS.messageTextMax) })])).toHaveProperty('payload');
  });

  it('answers invalid for blank text', () => {
    expect(check('message:send', [send({ text: '   ' })])).toMatchObject({ error: { code: 'invalid' } });
  });

  it('accepts presence events with an empty or missing payload', () => {
    expect(check('presence:away', [{}])).toHaveProperty('payload');
    expect(check('presence:away', [])).toHaveProperty('payload');
  });

  it('strips fields the contract does not know', () => {
    const result = check('message:send', [send({ senderId: 'someone-else' })]);
    if (!('payload' in result)) throw new Error('expected acceptance');
    expect(result.payload).not.toHaveProperty('senderId');
  });
});
