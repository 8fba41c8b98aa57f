// Wires the Kafka adapters of a service. Global: import it once, in the service's root module,
// after ServiceKitModule (the readiness check registers itself in its ReadinessRegistry).
import { type DynamicModule, Global, Module, type ModuleMetadata, type Provider } from '@nestjs/common';
import { KafkaAdmin } from './admin/kafka.admin';
import { DeadLetterPublisher } from './consumer/dead-letter.publisher';
import { KafkaConsumerFactory } from './consumer/kafka-consumer.factory';
import { KafkaReadinessCheck } from './health/kafka.readiness';
import { KafkaClients } from './kafka-clients';
import { KAFKA_OPTIONS, type KafkaOptions, resolveKafkaOptions } from './kafka.options';
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
  DeadLetterPublisher,
  KafkaConsumerFactory,
  KafkaAdmin,
  KafkaReadinessCheck,
];
const EXPORTS = [KafkaProducer, KafkaConsumerFactory, KafkaAdmin];

@Global()
@Module({})
export class KafkaModule {
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
