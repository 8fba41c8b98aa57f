// Chooses the bus of a service from its validated config (BUS, service-kit's KafkaEnv): Kafka
// (the default) or RabbitMQ. Either way the service injects BusProducer, BusConsumers and BusAdmin.
import { type DynamicModule } from '@nestjs/common';
import { type TopicDefinition } from '@chat/contracts';
import { type KafkaEnvConfig, KafkaModule } from '../kafka.module';
import { RabbitMqModule } from '../rabbitmq/rabbitmq.module';

/** The bus variables of service-kit's KafkaEnv, as a service's validated config holds them. */
export interface BusEnvConfig extends KafkaEnvConfig {
  BUS?: 'kafka' | 'rabbitmq';
  RABBITMQ_URL?: string;
  RABBITMQ_USERNAME?: string | undefined;
  RABBITMQ_PASSWORD?: string | undefined;
}

export class BusModule {
  static forService(clientId: string, config: BusEnvConfig, topics: readonly TopicDefinition[] = []): DynamicModule {
    if ((config.BUS ?? 'kafka') === 'kafka') return KafkaModule.forService(clientId, config, topics);
    if (config.RABBITMQ_URL === undefined) throw new Error('BUS=rabbitmq needs RABBITMQ_URL');
    return RabbitMqModule.forRoot({
      url: config.RABBITMQ_URL,
      ...(config.RABBITMQ_USERNAME !== undefined ? { username: config.RABBITMQ_USERNAME } : {}),
      ...(config.RABBITMQ_PASSWORD !== undefined ? { password: config.RABBITMQ_PASSWORD } : {}),
      clientId,
      ...(config.KAFKA_TOPIC_PREFIX !== undefined ? { topicPrefix: config.KAFKA_TOPIC_PREFIX } : {}),
      topics,
    });
  }
}
