import { z } from 'zod';
import { ConfigError, parseConfig } from './config';
import { BaseConfigSchema, HostPortListSchema, PortSchema, UrlSchema } from './schemas';
import { cassandraCredentials, CassandraEnv, KafkaEnv, parseReplication, redisCredentials, RedisEnv } from './engines';

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

  it('takes engine credentials in pairs, and never echoes a secret', () => {
    const engines = BaseConfigSchema.extend({ ...KafkaEnv, ...CassandraEnv, ...RedisEnv });
    const full = parseConfig(engines, {
      KAFKA_SASL_USERNAME: 'messaging',
      KAFKA_SASL_PASSWORD: 'k-secret',
      CASSANDRA_USERNAME: 'messaging',
      CASSANDRA_PASSWORD: 'c-secret',
      REDIS_USERNAME: 'gateway',
      REDIS_PASSWORD: 'r-secret',
    });
    expect([full.KAFKA_SASL_MECHANISM, full.KAFKA_SSL, full.CASSANDRA_USERNAME]).toEqual(['scram-sha-512', false, 'messaging']);
    expect(redisCredentials(full)).toEqual({ username: 'gateway', password: 'r-secret' });
    expect(redisCredentials(parseConfig(engines, {}))).toEqual({});
    expect(cassandraCredentials(full)).toEqual({ credentials: { username: 'messaging', password: 'c-secret' } });
    expect(cassandraCredentials(parseConfig(engines, {}))).toEqual({});
    // A Redis password alone is the default user's.
    expect(redisCredentials(parseConfig(engines, { REDIS_PASSWORD: 'r-secret' }))).toEqual({ password: 'r-secret' });
    const halves = (): unknown => parseConfig(engines, { KAFKA_SASL_USERNAME: 'gateway', CASSANDRA_PASSWORD: 'c-secret', REDIS_USERNAME: 'gateway' });
    expect(halves).toThrow(ConfigError);
    const message = (() => {
      try {
        halves();
        return '';
      } catch (error) {
        return (error as ConfigError).message;
      }
    })();
    expect(message).toContain('KAFKA_SASL_PASSWORD: must be set with KAFKA_SASL_USERNAME');
    expect(message).toContain('CASSANDRA_USERNAME: must be set with CASSANDRA_PASSWORD');
    expect(message).toContain('REDIS_PASSWORD: must be set with REDIS_USERNAME');
    expect(message).not.toContain('c-secret');
    expect(() => parseConfig(engines, { KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow(/KAFKA_SASL_MECHANISM/);
  });

  it('chooses the bus: Kafka by default, RabbitMQ over amqp(s) with its credentials in pairs', () => {
    const bus = BaseConfigSchema.extend({ ...KafkaEnv });
    expect(parseConfig(bus, {}).BUS).toBe('kafka');
    const rabbit = parseConfig(bus, { BUS: 'rabbitmq', RABBITMQ_URL: 'amqps://b-1.mq.eu-west-1.amazonaws.com:5671', RABBITMQ_USERNAME: 'messaging', RABBITMQ_PASSWORD: 'q-secret' });
    expect([rabbit.BUS, rabbit.RABBITMQ_URL, rabbit.RABBITMQ_USERNAME]).toEqual(['rabbitmq', 'amqps://b-1.mq.eu-west-1.amazonaws.com:5671', 'messaging']);
    expect(() => parseConfig(bus, { BUS: 'nats' })).toThrow(/BUS/);
    expect(() => parseConfig(bus, { BUS: 'rabbitmq', RABBITMQ_URL: 'http://127.0.0.1:15672' })).toThrow(/RABBITMQ_URL/);
    expect(() => parseConfig(bus, { BUS: 'rabbitmq', RABBITMQ_USERNAME: 'messaging' })).toThrow(/RABBITMQ_PASSWORD: must be set with RABBITMQ_USERNAME/);
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
