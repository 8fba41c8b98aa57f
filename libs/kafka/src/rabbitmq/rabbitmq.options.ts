// How a service talks to RabbitMQ (BUS=rabbitmq). The names a topic and a group take on the broker
// are here too, so every part of the transport agrees on them.
import { type TopicDefinition } from '@chat/contracts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../consumer/retry.policy';

export interface RabbitMqOptions {
  /** `amqp://host:5672` or `amqps://…` (Amazon MQ listens on amqps://…:5671 only). */
  url: string;
  /** Kept out of the URL so the URL can be logged and live in a ConfigMap; override the URL's. */
  username?: string;
  password?: string;
  /** Names this process's connections in the broker (connection_name). */
  clientId: string;
  /** Prepended to every stream, queue and group name (as KAFKA_TOPIC_PREFIX is on Kafka). */
  topicPrefix?: string;
  /** Streams (with their dead-letter streams) created at start-up when missing. */
  topics?: readonly TopicDefinition[];
  /** Records a partition's reader may hold unacknowledged. Default 500. */
  prefetch?: number;
  /** AMQP heartbeat: a member that stops answering loses its partitions after about twice this. Default 5 s. */
  heartbeatSeconds?: number;
  /** How often a partition owner commits its offsets (and checks its fair share). Default 200 ms. */
  commitEveryMs?: number;
  /** The readiness check fails when the broker does not answer within this. Default 1.5 s. */
  readinessTimeoutMs?: number;
  /** How long records are kept in a stream (x-max-age). Default 7D, as Kafka's retention. */
  maxAge?: string;
  handlerRetry?: Partial<RetryPolicy>;
}

export interface ResolvedRabbitMqOptions {
  url: string;
  username: string | undefined;
  password: string | undefined;
  clientId: string;
  topicPrefix: string;
  topics: readonly TopicDefinition[];
  prefetch: number;
  heartbeatSeconds: number;
  commitEveryMs: number;
  readinessTimeoutMs: number;
  maxAge: string;
  handlerRetry: RetryPolicy;
}

export const RABBITMQ_OPTIONS = Symbol('RABBITMQ_OPTIONS');

export function resolveRabbitMqOptions(options: RabbitMqOptions): ResolvedRabbitMqOptions {
  const url = new URL(options.url);
  if (url.protocol !== 'amqp:' && url.protocol !== 'amqps:') throw new Error(`RabbitMqOptions.url must be amqp:// or amqps://, not ${url.protocol}//`);
  return {
    url: options.url,
    username: options.username,
    password: options.password,
    clientId: options.clientId,
    topicPrefix: options.topicPrefix ?? '',
    topics: options.topics ?? [],
    prefetch: options.prefetch ?? 500,
    heartbeatSeconds: options.heartbeatSeconds ?? 5,
    commitEveryMs: options.commitEveryMs ?? 200,
    readinessTimeoutMs: options.readinessTimeoutMs ?? 1_500,
    maxAge: options.maxAge ?? '7D',
    handlerRetry: { ...DEFAULT_RETRY_POLICY, ...options.handlerRetry },
  };
}

/** Partition p of a (prefixed) topic is the stream `<topic>.p<p>`. */
export function streamName(topic: string, partition: number): string {
  return `${topic}.p${partition}`;
}

/** The quorum queue whose single active consumer owns partition p of a (prefixed) group. */
export function leaseQueueName(group: string, partition: number): string {
  return `${group}.owner.p${partition}`;
}

/** The classic queue every live member of a (prefixed) group subscribes to: its consumer count is the group's size. */
export function membersQueueName(group: string): string {
  return `${group}.members`;
}

/** The URL with the configured credentials in it (amqplib reads them from the URL). */
export function connectionUrl(options: Pick<ResolvedRabbitMqOptions, 'url' | 'username' | 'password' | 'heartbeatSeconds'>): string {
  const url = new URL(options.url);
  if (options.username !== undefined) url.username = encodeURIComponent(options.username);
  if (options.password !== undefined) url.password = encodeURIComponent(options.password);
  url.searchParams.set('heartbeat', String(options.heartbeatSeconds));
  return url.toString();
}
