import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localCassandraRoles } from './local-cassandra-roles';
import { localKafkaUsers } from './local-kafka-users';
import { DEFAULT_PORTS, localServices } from './services';

const dir = mkdtempSync(join(tmpdir(), 'services-spec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const secrets = { AUTH_KEY_ENCRYPTION_SECRET: 'x'.repeat(44), COMMAND_HOP_SECRET: 'h'.repeat(44) };
const NO_USERS = { redis: [], kafka: [], cassandra: [] };

describe('localServices', () => {
  it('points every service at the chosen bus', () => {
    const onKafka = localServices(DEFAULT_PORTS(1), null, secrets, NO_USERS);
    expect(onKafka.map((s) => s.env['BUS'])).toEqual(['kafka', 'kafka', 'kafka', 'kafka', 'kafka']);
    expect(onKafka.every((s) => s.env['RABBITMQ_URL'] === undefined)).toBe(true);

    const onRabbit = localServices(DEFAULT_PORTS(2), 'demo', secrets, NO_USERS, { bus: 'rabbitmq', env: { RABBITMQ_URL: 'amqps://broker.example:5671' } });
    expect(onRabbit.map((s) => [s.name, s.env['BUS'], s.env['RABBITMQ_URL'], s.env['KAFKA_TOPIC_PREFIX']])).toEqual(
      ['auth', 'messaging', 'presence', 'files', 'gateway-1', 'gateway-2'].map((name) => [name, 'rabbitmq', 'amqps://broker.example:5671', 'demo.']),
    );
    expect(localServices(DEFAULT_PORTS(1), null, secrets, NO_USERS, { bus: 'rabbitmq', env: {} })[0]?.env['RABBITMQ_URL']).toBe('amqp://127.0.0.1:5672');
  });

  it("points each service with a Kafka user at the SASL listener as that user, and leaves the others' Kafka settings alone", () => {
    const kafka = localKafkaUsers('web1', dir);
    expect(kafka.map((u) => [u.service, u.username])).toEqual([
      ['gateway', 'chat-web1-gateway'],
      ['auth', 'chat-web1-auth'],
      ['messaging', 'chat-web1-messaging'],
      ['presence', 'chat-web1-presence'],
      ['files', 'chat-web1-files'],
    ]);
    expect(new Set(kafka.map((u) => u.password)).size).toBe(5);
    const specs = localServices(DEFAULT_PORTS(2), 'web1', secrets, { redis: [], kafka, cassandra: [] });
    for (const spec of specs) {
      const user = kafka.find((u) => u.service === spec.service);
      expect([spec.name, spec.env['KAFKA_BROKERS'], spec.env['KAFKA_SASL_MECHANISM'], spec.env['KAFKA_SASL_USERNAME'], spec.env['KAFKA_SASL_PASSWORD']]).toEqual([
        spec.name,
        '127.0.0.1:9096',
        'scram-sha-512',
        `chat-web1-${spec.service}`,
        user?.password,
      ]);
      expect(spec.env['KAFKA_TOPIC_PREFIX']).toBe('web1.');
    }
    // On the cluster (no SASL listener) start.ts makes no Kafka users: the cluster's brokers stay.
    const onCluster = localServices(DEFAULT_PORTS(1), 'cluster', secrets, NO_USERS, undefined, { KAFKA_BROKERS: '127.0.0.1:19092,127.0.0.1:19093' });
    expect(onCluster.map((s) => [s.env['KAFKA_BROKERS'], s.env['KAFKA_SASL_USERNAME']])).toEqual(onCluster.map(() => ['127.0.0.1:19092,127.0.0.1:19093', undefined]));
  });

  it('logs messaging, and only messaging, in to Cassandra as its own role, on its run keyspace', () => {
    const cassandra = localCassandraRoles('web1', dir);
    expect(cassandra.map((r) => [r.service, r.username, r.keyspace])).toEqual([['messaging', 'chat_web1_messaging', 'web1_messaging']]);
    expect(localCassandraRoles(null, dir).map((r) => [r.username, r.keyspace, r.password])).toEqual([['chat_local_messaging', 'chat_messaging', cassandra[0]?.password]]);
    const specs = localServices(DEFAULT_PORTS(1), 'web1', secrets, { redis: [], kafka: [], cassandra });
    expect(specs.map((s) => [s.name, s.env['CASSANDRA_USERNAME'], s.env['CASSANDRA_PASSWORD'], s.env['CASSANDRA_KEYSPACE']])).toEqual([
      ['auth', undefined, undefined, undefined],
      ['messaging', 'chat_web1_messaging', cassandra[0]?.password, 'web1_messaging'],
      ['presence', undefined, undefined, undefined],
      ['files', undefined, undefined, undefined],
      ['gateway', undefined, undefined, undefined],
    ]);
    // Without a role (the cluster, or a node started before logins) messaging gets no credentials.
    expect(localServices(DEFAULT_PORTS(1), null, secrets, NO_USERS).find((s) => s.service === 'messaging')?.env['CASSANDRA_USERNAME']).toBeUndefined();
  });
});
