// The command line's choices and refusals, before anything reaches a broker (the replay itself
// runs against the real brokers in replay.int-spec.ts and replay-rabbitmq.int-spec.ts).
import { main, USAGE } from './cli';
import { parseReplayCommand } from './replay-command';

function io(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), env } };
}

describe('dlq:replay command line', () => {
  it('prints the usage on --help and exits 0', async () => {
    const { out, io: cli } = io();
    await expect(main(['--help'], cli)).resolves.toBe(0);
    expect(out).toEqual([USAGE]);
  });

  it.each([
    [[], {}, '--topic is required'],
    [['--topic', 'chat.x.v1', '--reason', 'bad'], {}, '--reason must be'],
    [['--topic', 'chat.x.v1', '--unknown'], {}, "Unknown option '--unknown'"],
    [['--topic', 'chat.x.v1', '--bus', 'nats'], {}, "--bus must be kafka or rabbitmq, not 'nats'"],
    [['--topic', 'chat.x.v1'], { BUS: 'nats' }, "BUS must be kafka or rabbitmq, not 'nats'"],
    [['--topic', 'chat.x.v1', '--url', 'amqp://h:5672'], {}, '--url is for --bus rabbitmq'],
    [['--topic', 'chat.x.v1', '--bus', 'rabbitmq', '--brokers', 'h:9092'], {}, '--brokers is for --bus kafka'],
    [['--topic', 'chat.x.v1', '--bus', 'rabbitmq', '--url', 'http://h:5672'], {}, '--url must be an amqp:// or amqps:// URL'],
    [['--topic', 'chat.x.v1'], { BUS: 'rabbitmq', RABBITMQ_URL: 'h:5672' }, 'RABBITMQ_URL must be an amqp:// or amqps:// URL'],
    [['--topic', 'chat.x.v1', '--prefix', 'Demo'], {}, '--prefix must be lower-case'],
    [['--topic', 'chat.x.v1', '--brokers', ' , '], {}, '--brokers names no broker'],
  ])('refuses %j (env %j) with exit code 2 and the usage', async (argv, env, message) => {
    const { err, io: cli } = io(env);
    await expect(main(argv, cli)).resolves.toBe(2);
    expect(err.join('\n')).toContain(message);
    expect(err.join('\n')).toContain('usage: npm run dlq:replay');
  });

  it('never echoes a refused URL, which may hold a password', () => {
    const command = parseReplayCommand(['--topic', 'chat.x.v1', '--bus', 'rabbitmq', '--url', 'http://u:secret@h'], {});
    expect(command.kind).toBe('usage-error');
    expect(JSON.stringify(command)).not.toContain('secret');
  });
});

describe('dlq:replay bus selection', () => {
  const topic = ['--topic', 'chat.x.v1'];

  it('runs on Kafka by default, with the services’ defaults', () => {
    expect(parseReplayCommand(topic, {})).toEqual({ kind: 'replay', options: { bus: 'kafka', brokers: ['127.0.0.1:9092'], topic: 'chat.x.v1', prefix: '', dryRun: false } });
  });

  it('reads KAFKA_BROKERS and KAFKA_TOPIC_PREFIX, and the flags override them', () => {
    const env = { KAFKA_BROKERS: 'k1:9092, k2:9092', KAFKA_TOPIC_PREFIX: 'demo.' };
    expect(parseReplayCommand(topic, env)).toMatchObject({ options: { bus: 'kafka', brokers: ['k1:9092', 'k2:9092'], prefix: 'demo.' } });
    expect(parseReplayCommand([...topic, '--brokers', 'k3:9092', '--prefix', 'run-1.'], env)).toMatchObject({ options: { brokers: ['k3:9092'], prefix: 'run-1.' } });
  });

  it('runs on RabbitMQ with BUS=rabbitmq, at the local broker unless RABBITMQ_URL says otherwise', () => {
    expect(parseReplayCommand(topic, { BUS: 'rabbitmq' })).toEqual({
      kind: 'replay',
      options: { bus: 'rabbitmq', url: 'amqp://127.0.0.1:5672', topic: 'chat.x.v1', prefix: '', dryRun: false },
    });
    expect(
      parseReplayCommand(topic, { BUS: 'rabbitmq', RABBITMQ_URL: 'amqps://b-1.mq.eu-west-1.amazonaws.com:5671', RABBITMQ_USERNAME: 'ops', RABBITMQ_PASSWORD: 'pw', KAFKA_TOPIC_PREFIX: 'demo.' }),
    ).toMatchObject({ options: { bus: 'rabbitmq', url: 'amqps://b-1.mq.eu-west-1.amazonaws.com:5671', username: 'ops', password: 'pw', prefix: 'demo.' } });
  });

  it('lets --bus and --url override BUS and RABBITMQ_URL', () => {
    expect(parseReplayCommand([...topic, '--bus', 'rabbitmq', '--url', 'amqp://guest:guest@h:5672'], { BUS: 'kafka', RABBITMQ_URL: 'amqp://other:5672' })).toMatchObject({
      options: { bus: 'rabbitmq', url: 'amqp://guest:guest@h:5672' },
    });
    expect(parseReplayCommand([...topic, '--bus', 'kafka'], { BUS: 'rabbitmq', RABBITMQ_URL: 'amqp://h:5672' })).toMatchObject({ options: { bus: 'kafka' } });
  });

  it('passes the filters and the dry run on, whichever the bus', () => {
    for (const bus of ['kafka', 'rabbitmq']) {
      expect(parseReplayCommand([...topic, '--bus', bus, '--group', 'files.members', '--reason', 'not-json', '--dry-run'], {})).toMatchObject({
        options: { bus, groupId: 'files.members', reason: 'not-json', dryRun: true },
      });
    }
  });
});
