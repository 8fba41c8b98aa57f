import { DEFAULT_PORTS, localServices } from './services';

const secrets = { AUTH_KEY_ENCRYPTION_SECRET: 'x'.repeat(44) };

describe('localServices', () => {
  it('points every service at the chosen bus', () => {
    const onKafka = localServices(DEFAULT_PORTS(1), null, secrets, []);
    expect(onKafka.map((s) => s.env['BUS'])).toEqual(['kafka', 'kafka', 'kafka', 'kafka', 'kafka']);
    expect(onKafka.every((s) => s.env['RABBITMQ_URL'] === undefined)).toBe(true);

    const onRabbit = localServices(DEFAULT_PORTS(2), 'demo', secrets, [], { bus: 'rabbitmq', env: { RABBITMQ_URL: 'amqps://broker.example:5671' } });
    expect(onRabbit.map((s) => [s.name, s.env['BUS'], s.env['RABBITMQ_URL'], s.env['KAFKA_TOPIC_PREFIX']])).toEqual(
      ['auth', 'messaging', 'presence', 'files', 'gateway-1', 'gateway-2'].map((name) => [name, 'rabbitmq', 'amqps://broker.example:5671', 'demo.']),
    );
    expect(localServices(DEFAULT_PORTS(1), null, secrets, [], { bus: 'rabbitmq', env: {} })[0]?.env['RABBITMQ_URL']).toBe('amqp://127.0.0.1:5672');
  });
});
