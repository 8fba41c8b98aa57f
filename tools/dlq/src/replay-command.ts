// The command line and environment of `npm run dlq:replay`, read once into the options of
// replayDeadLetters. The bus and its address are chosen as the services choose theirs (BUS,
// KAFKA_BROKERS, RABBITMQ_URL, RABBITMQ_USERNAME, RABBITMQ_PASSWORD, KAFKA_TOPIC_PREFIX, with the
// services' defaults), and a flag overrides its variable.
import { parseArgs } from 'node:util';
import { type ReplayOptions } from '@chat/kafka';
import { DEFAULT_RABBITMQ_URL, KAFKA_BROKERS } from '@chat/infra';

export const USAGE = `usage: npm run dlq:replay -- --topic TOPIC [--bus kafka|rabbitmq] [--prefix P] [--brokers B | --url U] [--group G] [--reason R] [--dry-run]
  --topic TOPIC   the source topic's contract name, e.g. chat.channel.membership.v1 (its DLQ is TOPIC.dlq)
  --bus BUS       the deployment's bus, kafka or rabbitmq (default: BUS, else kafka)
  --prefix P      the deployment's KAFKA_TOPIC_PREFIX, on either bus (default: that variable, else none;
                  'npm start -- --run NAME' uses NAME.)
  --brokers B     Kafka: comma-separated brokers (default: KAFKA_BROKERS, else ${KAFKA_BROKERS.join(',')})
  --url U         RabbitMQ: amqp:// or amqps:// URL (default: RABBITMQ_URL, else ${DEFAULT_RABBITMQ_URL});
                  RABBITMQ_USERNAME and RABBITMQ_PASSWORD override its credentials (none: guest/guest)
  --group G       only letters parked by this consumer group (without the prefix), e.g. files.members
  --reason R      only letters with this reason: handler-failed, not-json or schema-violation
  --dry-run       list every letter kept; publish and record nothing
Progress is kept per filter, in <prefix>dlq-replay.<topic>[.<group>][.<reason>]: the consumer group of
that name on Kafka, its leases (quorum queues <name>.owner.p<partition>) on RabbitMQ. A second run
replays only what was parked since.`;

export const REASONS = ['handler-failed', 'not-json', 'schema-violation'] as const;
const BUSES = ['kafka', 'rabbitmq'] as const;
/** KAFKA_TOPIC_PREFIX as service-kit validates it. */
const PREFIX = /^[a-z0-9][a-z0-9-]{0,30}\.$/;

export type ReplayCommand = { kind: 'help' } | { kind: 'usage-error'; message: string } | { kind: 'replay'; options: ReplayOptions };

export function parseReplayCommand(argv: readonly string[], env: NodeJS.ProcessEnv): ReplayCommand {
  let values: { topic?: string; bus?: string; prefix?: string; brokers?: string; url?: string; group?: string; reason?: string; 'dry-run'?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        topic: { type: 'string' },
        bus: { type: 'string' },
        prefix: { type: 'string' },
        brokers: { type: 'string' },
        url: { type: 'string' },
        group: { type: 'string' },
        reason: { type: 'string' },
        'dry-run': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    return usageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return { kind: 'help' };
  if (!values.topic) return usageError('--topic is required');
  const bus = values.bus ?? nonEmpty(env['BUS']) ?? 'kafka';
  if (!isOneOf(BUSES, bus)) return usageError(`${values.bus !== undefined ? '--bus' : 'BUS'} must be kafka or rabbitmq, not '${bus}'`);
  if (values.reason !== undefined && !isOneOf(REASONS, values.reason)) return usageError('--reason must be handler-failed, not-json or schema-violation');
  const prefix = values.prefix ?? nonEmpty(env['KAFKA_TOPIC_PREFIX']) ?? '';
  if (prefix !== '' && !PREFIX.test(prefix)) {
    return usageError(`${values.prefix !== undefined ? '--prefix' : 'KAFKA_TOPIC_PREFIX'} must be lower-case letters, digits or "-", ending with ".", not '${prefix}'`);
  }
  const common = {
    topic: values.topic,
    prefix,
    dryRun: values['dry-run'] ?? false,
    ...(values.group !== undefined ? { groupId: values.group } : {}),
    ...(values.reason !== undefined ? { reason: values.reason } : {}),
  };
  if (bus === 'kafka') {
    if (values.url !== undefined) return usageError('--url is for --bus rabbitmq (Kafka takes --brokers)');
    const brokers = (values.brokers ?? nonEmpty(env['KAFKA_BROKERS']) ?? KAFKA_BROKERS.join(','))
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean);
    if (brokers.length === 0) return usageError('--brokers names no broker');
    return { kind: 'replay', options: { bus, brokers, ...common } };
  }
  if (values.brokers !== undefined) return usageError('--brokers is for --bus kafka (RabbitMQ takes --url)');
  const url = values.url ?? nonEmpty(env['RABBITMQ_URL']) ?? DEFAULT_RABBITMQ_URL;
  if (!/^amqps?:\/\/[^/]/.test(url) || !URL.canParse(url)) return usageError(`${values.url !== undefined ? '--url' : 'RABBITMQ_URL'} must be an amqp:// or amqps:// URL`);
  const username = nonEmpty(env['RABBITMQ_USERNAME']);
  const password = nonEmpty(env['RABBITMQ_PASSWORD']);
  return {
    kind: 'replay',
    options: { bus, url, ...(username !== undefined ? { username } : {}), ...(password !== undefined ? { password } : {}), ...common },
  };
}

function usageError(message: string): ReplayCommand {
  return { kind: 'usage-error', message };
}

function isOneOf<T extends string>(allowed: readonly T[], value: string): value is T {
  return (allowed as readonly string[]).includes(value);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
}
