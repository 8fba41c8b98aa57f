import { defineTopic } from '@chat/contracts';
import { z } from 'zod';
import { decodeHeaders, decodeValue, encodeValue, InvalidPayloadError } from './record.codec';

const topic = defineTopic({
  name: 'test.codec.event.v1',
  partitions: 1,
  key: 'id',
  schema: z.object({ id: z.string().min(1), count: z.number().int() }),
  description: 'codec spec',
});

describe('encodeValue', () => {
  it('serialises a valid value as JSON', () => {
    expect(JSON.parse(encodeValue(topic, { id: 'a', count: 2 }))).toEqual({ id: 'a', count: 2 });
  });

  it('drops properties the schema does not know', () => {
    const wider = { id: 'a', count: 2, passwordHash: 'secret' };
    expect(encodeValue(topic, wider)).not.toContain('secret');
  });

  it('throws naming the topic and the offending field when the value is invalid', () => {
    const bad = { id: '', count: 1.5 };
    expect(() => encodeValue(topic, bad)).toThrow(InvalidPayloadError);
    expect(() => encodeValue(topic, bad)).toThrow(/test\.codec\.event\.v1.*id.*count/);
  });
});

describe('decodeValue', () => {
  it('returns the validated value', () => {
    expect(decodeValue(topic, Buffer.from('{"id":"x","count":3}'))).toEqual({ ok: true, value: { id: 'x', count: 3 } });
  });

  it('reports bytes that are not JSON', () => {
    const result = decodeValue(topic, Buffer.from([0xff, 0x00, 0x7b]));
    expect(result).toMatchObject({ ok: false, reason: 'not-json' });
  });

  it('reports a record without value', () => {
    expect(decodeValue(topic, null)).toEqual({ ok: false, reason: 'not-json', error: 'record has no value' });
  });

  it('reports JSON that fails the schema, naming the field', () => {
    const result = decodeValue(topic, Buffer.from('{"id":"x","count":"three"}'));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toBe('schema-violation');
      expect(result.error).toContain('count');
    }
  });
});

describe('decodeHeaders', () => {
  it('decodes buffers and keeps the last of repeated values', () => {
    expect(decodeHeaders({ a: Buffer.from('1'), b: 'two', c: [Buffer.from('x'), 'y'], d: undefined })).toEqual({ a: '1', b: 'two', c: 'y' });
  });

  it('accepts missing headers', () => {
    expect(decodeHeaders(undefined)).toEqual({});
  });
});
