// How a service talks to Kafka. Defaults favour low latency and quick recovery after a crash:
// a consumer killed with SIGKILL is evicted after `sessionTimeoutMs`, and its partitions move on.
import { type TopicDefinition } from '@chat/contracts';
import { type RetryPolicy, DEFAULT_RETRY_POLICY } from './consumer/retry.policy';
import { DEFAULT_RESTART_POLICY, type RestartPolicy } from './consumer/consumer-restarts';

export interface KafkaConsumerTuning {
  /** The broker evicts a member that sent no heartbeat for this long. Default 10 s. */
  sessionTimeoutMs?: number;
  /** Default 1 s (kafkajs heartbeats only from its fetch loop, so keep it well below the session timeout). */
  heartbeatIntervalMs?: number;
  /**
   * How long a fetch waits for data when its partitions are idle (the broker answers at once when a
   * record arrives, so this costs no latency). Default 500 ms: every consumer of every process
   * polls this often at rest; at 100 ms an idle system's five services spent 189 ms of CPU per
   * second (and the broker about 190), at 500 ms 138 (and about 130).
   */
  maxWaitTimeMs?: number;
  /** How long the coordinator waits for members to rejoin during a rebalance. Default 30 s. */
  rebalanceTimeoutMs?: number;
  /** Commit resolved offsets at least this often while a long batch is processed. Default 1 s. */
  autoCommitIntervalMs?: number;
  /** ... or after this many resolved records. Default 100. */
  autoCommitThreshold?: number;
}

export interface KafkaOptions {
  brokers: readonly string[];
  /** Unique per process is best (the service identity's instance id): it names connections in broker logs. */
  clientId: string;
  /**
   * Prepended to every topic and consumer group name (KAFKA_TOPIC_PREFIX, e.g. `run-7.`): empty in
   * production; lets tests and parallel local systems share one cluster without seeing each
   * other's records.
   */
  topicPrefix?: string;
  /** Replication factor of topics created by `KafkaAdmin.ensureTopics`. Default 1. */
  replicationFactor?: number;
  /** Topics (with their dead-letter topics) created at start-up when missing. */
  topics?: readonly TopicDefinition[];
  /** This service's own Kafka user (SASL); unset: no authentication. */
  sasl?: KafkaSasl;
  /** TLS to the brokers. Default false. */
  ssl?: boolean;
  /** Default 3 s. */
  connectionTimeoutMs?: number;
  /** Default 30 s. */
  requestTimeoutMs?: number;
  /** The readiness check fails when the cluster does not answer within this. Default 1.5 s. */
  readinessTimeoutMs?: number;
  consumer?: KafkaConsumerTuning;
  /** Default retry policy of consumer handlers; `consume` may override it. */
  handlerRetry?: Partial<RetryPolicy>;
  /** How a consumer that crashed for good is started again (see ConsumerRestarts). */
  consumerRestart?: Partial<RestartPolicy>;
}

export interface KafkaSasl {
  mechanism: 'scram-sha-512' | 'scram-sha-256' | 'plain';
  username: string;
  password: string;
}

export interface ResolvedKafkaOptions {
  brokers: string[];
  sasl: KafkaSasl | undefined;
  ssl: boolean;
  clientId: string;
  topicPrefix: string;
  replicationFactor: number;
  topics: readonly TopicDefinition[];
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  readinessTimeoutMs: number;
  consumer: Required<KafkaConsumerTuning>;
  handlerRetry: RetryPolicy;
  consumerRestart: RestartPolicy;
}

export const KAFKA_OPTIONS = Symbol('KAFKA_OPTIONS');

export function resolveKafkaOptions(options: KafkaOptions): ResolvedKafkaOptions {
  if (options.brokers.length === 0) throw new Error('KafkaOptions.brokers must name at least one broker');
  const consumer = options.consumer ?? {};
  return {
    brokers: [...options.brokers],
    sasl: options.sasl,
    ssl: options.ssl ?? false,
    clientId: options.clientId,
    topicPrefix: options.topicPrefix ?? '',
    replicationFactor: options.replicationFactor ?? 1,
    topics: options.topics ?? [],
    connectionTimeoutMs: options.connectionTimeoutMs ?? 3_000,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    readinessTimeoutMs: options.readinessTimeoutMs ?? 1_500,
    consumer: {
      sessionTimeoutMs: consumer.sessionTimeoutMs ?? 10_000,
      heartbeatIntervalMs: consumer.heartbeatIntervalMs ?? 1_000,
      maxWaitTimeMs: consumer.maxWaitTimeMs ?? 500,
      rebalanceTimeoutMs: consumer.rebalanceTimeoutMs ?? 30_000,
      autoCommitIntervalMs: consumer.autoCommitIntervalMs ?? 1_000,
      autoCommitThreshold: consumer.autoCommitThreshold ?? 100,
    },
    handlerRetry: { ...DEFAULT_RETRY_POLICY, ...options.handlerRetry },
    consumerRestart: { ...DEFAULT_RESTART_POLICY, ...options.consumerRestart },
  };
}

/** The name a topic (or consumer group) has in the cluster. */
export function physicalName(options: Pick<ResolvedKafkaOptions, 'topicPrefix'>, name: string): string {
  return `${options.topicPrefix}${name}`;
}
