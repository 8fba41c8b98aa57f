import { z } from 'zod';
import { ConfigError, parseConfig } from './config';
import { BaseConfigSchema, HostPortListSchema, PortSchema, UrlSchema } from './schemas';
import { parseReplication } from './engines';

const schema = BaseConfigSchema.extend({
  PORT: PortSchema,
  KAFKA_BROKERS: HostPortListSchema,
  POSTGRES_URL: UrlSchema(['postgres', 'postgresql']),
});

describe('parseConfig', () => {
  it('returns typed values with defaults applied', () => {
    const config = parseConfig(schema, { PORT: '3001', KAFKA_BROKERS: '127.0.0.1:9092, kafka:9093', POSTGRES_URL: 'postgres://u@h:5432/db' });
    expect(config.PORT).toBe(3001);
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092', 'kafka:9093']);
    expect(config.LOG_LEVEL).toBe('info');
  });

  it('names every missing or malformed variable at once', () => {
    let error: unknown;
    try {
      parseConfig(schema, { PORT: '99999', KAFKA_BROKERS: '::', LOG_LEVEL: 'loud' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('PORT');
    expect(message).toContain('KAFKA_BROKERS');
    expect(message).toContain('"::"');
    expect(message).toContain('POSTGRES_URL');
    expect(message).toContain('(not set)');
    expect(message).toContain('LOG_LEVEL');
  });

  it('treats empty strings as unset', () => {
    const config = parseConfig(z.object({ A: z.string().default('d') }), { A: '' });
    expect(config.A).toBe('d');
  });

  it('rejects URLs of the wrong protocol', () => {
    expect(() => parseConfig(schema, { PORT: '1', KAFKA_BROKERS: 'a:1', POSTGRES_URL: 'http://x' })).toThrow(/POSTGRES_URL/);
  });
});

describe('parseReplication', () => {
  it('reads both strategies', () => {
    expect(parseReplication('SimpleStrategy:1')).toEqual({ class: 'SimpleStrategy', replication_factor: 1 });
    expect(parseReplication('NetworkTopologyStrategy:dc1=3,dc2=2')).toEqual({ class: 'NetworkTopologyStrategy', dc1: 3, dc2: 2 });
  });
});
