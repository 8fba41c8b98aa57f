// Wires the Kafka adapters of a service. Global: import it once, in the service's root module,
// after ServiceKitModule (the readiness check registers itself in its ReadinessRegistry).
import { type DynamicModule, Global, Module, type ModuleMetadata, type Provider } from '@nestjs/common';
import { type TopicDefinition } from '@chat/contracts';
import { KafkaAdmin } from './admin/kafka.admin';
import { BusAdmin, BusConsumers, BusProducer } from './bus/bus';
import { ConsumerMetrics } from './consumer/consumer.metrics';
import { DeadLetterPublisher } from './consumer/dead-letter.publisher';
import { KafkaConsumerFactory } from './consumer/kafka-consumer.factory';
import { KafkaReadinessCheck } from './health/kafka.readiness';
import { KafkaClients } from './kafka-clients';
import { KAFKA_OPTIONS, type KafkaOptions, type KafkaSasl, resolveKafkaOptions } from './kafka.options';
import { ProducerConnection } from './producer/producer.connection';
import { KafkaProducer } from './producer/kafka.producer';

export interface KafkaModuleAsyncOptions {
  imports?: ModuleMetadata['imports'];
  inject?: (string | symbol | (abstract new (...args: never[]) => unknown))[];
  useFactory: (...args: never[]) => KafkaOptions | Promise<KafkaOptions>;
}

const PROVIDERS: Provider[] = [
  KafkaClients,
  ProducerConnection,
  KafkaProducer,
  ConsumerMetrics,
  DeadLetterPublisher,
  KafkaConsumerFactory,
  KafkaAdmin,
  KafkaReadinessCheck,
  // The bus seam (bus/bus.ts) bound to Kafka.
  { provide: BusProducer, useExisting: KafkaProducer },
  { provide: BusConsumers, useExisting: KafkaConsumerFactory },
  { provide: BusAdmin, useExisting: KafkaAdmin },
];
const EXPORTS = [KafkaProducer, KafkaConsumerFactory, KafkaAdmin, BusProducer, BusConsumers, BusAdmin];

/** The Kafka variables of service-kit's KafkaEnv, as a service's validated config holds them. */
export interface KafkaEnvConfig {
  KAFKA_BROKERS: readonly string[];
  KAFKA_TOPIC_PREFIX?: string | undefined;
  KAFKA_REPLICATION_FACTOR: number;
  KAFKA_SASL_MECHANISM?: KafkaSasl['mechanism'];
  KAFKA_SASL_USERNAME?: string | undefined;
  KAFKA_SASL_PASSWORD?: string | undefined;
  KAFKA_SSL?: boolean;
}

/** The SASL settings of a service's config: its own user when KAFKA_SASL_USERNAME is set. */
export function saslFromEnv(config: KafkaEnvConfig): KafkaSasl | undefined {
  const { KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = config;
  if (username === undefined || password === undefined) return undefined;
  return { mechanism: config.KAFKA_SASL_MECHANISM ?? 'scram-sha-512', username, password };
}

@Global()
@Module({})
export class KafkaModule {
  /** forRoot from a service's config: its instance id names the client; `topics` are created when missing. */
  static forService(clientId: string, config: KafkaEnvConfig, topics: readonly TopicDefinition[] = []): DynamicModule {
    return KafkaModule.forRoot({
      brokers: config.KAFKA_BROKERS,
      sasl: saslFromEnv(config),
      ssl: config.KAFKA_SSL ?? false,
      clientId,
      topicPrefix: config.KAFKA_TOPIC_PREFIX,
      replicationFactor: config.KAFKA_REPLICATION_FACTOR,
      topics,
    });
  }

  static forRoot(options: KafkaOptions): DynamicModule {
    return {
      module: KafkaModule,
      providers: [{ provide: KAFKA_OPTIONS, useValue: resolveKafkaOptions(options) }, ...PROVIDERS],
      exports: EXPORTS,
    };
  }

  /** For options built from injected configuration, e.g. `inject: [APP_CONFIG]`. */
  static forRootAsync(options: KafkaModuleAsyncOptions): DynamicModule {
    return {
      module: KafkaModule,
      imports: options.imports ?? [],
      providers: [
        {
          provide: KAFKA_OPTIONS,
          inject: options.inject ?? [],
          useFactory: async (...args: never[]) => resolveKafkaOptions(await options.useFactory(...args)),
        },
        ...PROVIDERS,
      ],
      exports: EXPORTS,
    };
  }
}
