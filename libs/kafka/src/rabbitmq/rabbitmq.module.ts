// Wires the RabbitMQ transport (BUS=rabbitmq) behind the bus seam. Global, like KafkaModule.
import { type DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import { BusAdmin, BusConsumers, BusProducer } from '../bus/bus';
import { ConsumerMetrics } from '../consumer/consumer.metrics';
import { RabbitMqAdmin } from './rabbitmq.admin';
import { RabbitMqConnection } from './rabbitmq.connection';
import { RabbitMqConsumers } from './rabbitmq-consumers';
import { RabbitMqDeadLetters } from './rabbitmq-dead-letters';
import { RABBITMQ_OPTIONS, type RabbitMqOptions, resolveRabbitMqOptions } from './rabbitmq.options';
import { RabbitMqProducer } from './rabbitmq.producer';
import { RabbitMqReadinessCheck } from './rabbitmq.readiness';

const PROVIDERS: Provider[] = [
  RabbitMqConnection,
  RabbitMqProducer,
  ConsumerMetrics,
  RabbitMqDeadLetters,
  RabbitMqConsumers,
  RabbitMqAdmin,
  RabbitMqReadinessCheck,
  { provide: BusProducer, useExisting: RabbitMqProducer },
  { provide: BusConsumers, useExisting: RabbitMqConsumers },
  { provide: BusAdmin, useExisting: RabbitMqAdmin },
];

@Global()
@Module({})
export class RabbitMqModule {
  static forRoot(options: RabbitMqOptions): DynamicModule {
    return {
      module: RabbitMqModule,
      providers: [{ provide: RABBITMQ_OPTIONS, useValue: resolveRabbitMqOptions(options) }, ...PROVIDERS],
      exports: [BusProducer, BusConsumers, BusAdmin, RabbitMqProducer],
    };
  }
}
