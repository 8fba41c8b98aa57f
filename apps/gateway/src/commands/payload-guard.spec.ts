import { LIMITS } from '@chat/contracts';
import { guardClientEvent, serializedSize } from './payload-guard';

const CHANNEL = '7b0c7a4e-1c9b-4a57-9a8c-3f0f2a9d6c11';
const CLIENT_MSG = '9a0e1f3c-2b4d-4c6e-8f10-1a2b3c4d5e6f';
const options = { maxBytes: LIMITS.socketPayloadMaxBytes, ackRequired: true };
const ack = () => undefined;
const send = (overrides: Record<string, unknown> = {}) => ({ channelId: CHANNEL, clientMsgId: CLIENT_MSG, text: 'hello', ...overrides });

describe('guardClientEvent', () => {
  it('accepts a valid payload with its acknowledgement', () => {
    const result = guardClientEvent('message:send', [send(), ack], options);
    expect(result).toEqual({ kind: 'accept', ack, payload: send() });
  });

  it('drops an event without acknowledgement callback, whatever its payload', () => {
    expect(guardClientEvent('message:send', [send()], options)).toEqual({ kind: 'drop', reason: 'no acknowledgement callback' });
    expect(guardClientEvent('message:send', ['x'.repeat(100_000)], options).kind).toBe('drop');
    expect(guardClientEvent('message:send', [], options).kind).toBe('drop');
  });

  it('answers too_large above the byte limit, before looking at the schema', () => {
    const text = 'é'.repeat(40_000); // 80,000 bytes of UTF-8, well over 64 KiB
    const result = guardClientEvent('message:send', [send({ text }), ack], options);
    expect(result).toMatchObject({ kind: 'reject', error: { code: 'too_large' } });
  });

  it('accepts a payload just under the byte limit (the schema then decides)', () => {
    const payload = { channels: [{ channelId: CHANNEL, afterSeq: 1 }], padding: 'x'.repeat(LIMITS.socketPayloadMaxBytes - 200) };
    expect(serializedSize([payload])).toBeLessThanOrEqual(LIMITS.socketPayloadMaxBytes);
    expect(guardClientEvent('sync', [payload, ack], options).kind).toBe('accept');
  });

  it.each([['a string'], [42], [null], [[send()]], [true]])('answers invalid for the non-object payload %p', (payload) => {
    expect(guardClientEvent('message:send', [payload, ack], options)).toEqual({
      kind: 'reject',
      ack,
      error: { code: 'invalid', message: 'payload must be an object' },
    });
  });

  it('answers invalid for a missing payload', () => {
    expect(guardClientEvent('message:send', [ack], options)).toMatchObject({ kind: 'reject', error: { code: 'invalid', message: 'payload must be an object' } });
  });

  it('answers invalid for extra arguments', () => {
    expect(guardClientEvent('message:send', [send(), 'extra', ack], options)).toMatchObject({ kind: 'reject', error: { code: 'invalid' } });
  });

  it('names the missing or wrong fields', () => {
    const missing = guardClientEvent('message:send', [{ channelId: CHANNEL }, ack], options);
    expect(missing).toMatchObject({ kind: 'reject', error: { code: 'invalid' } });
    if (missing.kind !== 'reject') throw new Error('unreachable');
    expect(missing.error.message).toContain('clientMsgId');
    expect(missing.error.message).toContain('text');

    const wrongType = guardClientEvent('read', [{ channelId: CHANNEL, seq: 'seven' }, ack], options);
    if (wrongType.kind !== 'reject') throw new Error('expected a rejection');
    expect(wrongType.error.message).toMatch(/^seq: /);

    const notUuid = guardClientEvent('message:send', [send({ channelId: 'general' }), ack], options);
    if (notUuid.kind !== 'reject') throw new Error('expected a rejection');
    expect(notUuid.error.message).toMatch(/^channelId: /);
  });

  it('answers invalid for text over the character limit, and accepts exactly the limit', () => {
    const over = guardClientEvent('message:send', [send({ text: 'a'.repeat(LIMITS.messageTextMax + 1) }), ack], options);
    if (over.kind !== 'reject') throw new Error('expected a rejection');
    expect(over.error).toEqual({ code: 'invalid', message: `text: must be at most ${LIMITS.messageTextMax} characters` });
    expect(guardClientEvent('message:send', [send({ text: 'a'.repeat(LIMITS.messageTextMax) }), ack], options).kind).toBe('accept');
  });

  it('answers invalid for blank text', () => {
    expect(guardClientEvent('message:send', [send({ text: '   ' }), ack], options)).toMatchObject({ kind: 'reject', error: { code: 'invalid' } });
  });

  it('lets events whose acknowledgement is optional through without one, and drops their bad payloads silently', () => {
    const typing = { maxBytes: LIMITS.socketPayloadMaxBytes, ackRequired: false };
    expect(guardClientEvent('typing', [{ channelId: CHANNEL }], typing)).toEqual({ kind: 'accept', ack: undefined, payload: { channelId: CHANNEL } });
    expect(guardClientEvent('typing', [{ channelId: 1 }], typing).kind).toBe('drop');
  });

  it('accepts presence events with an empty or missing payload', () => {
    expect(guardClientEvent('presence:away', [{}, ack], options).kind).toBe('accept');
    expect(guardClientEvent('presence:away', [ack], options).kind).toBe('accept');
  });

  it('strips fields the contract does not know', () => {
    const result = guardClientEvent('message:send', [send({ senderId: 'someone-else' }), ack], options);
    if (result.kind !== 'accept') throw new Error('expected acceptance');
    expect(result.payload).not.toHaveProperty('senderId');
  });
});
