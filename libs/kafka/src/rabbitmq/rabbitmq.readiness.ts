// Readiness `rabbitmq`: the broker answers on a connection of its own within the readiness
// timeout, and every consumer group of this process has a running member.
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ReadinessRegistry, type ReadinessCheck } from '@chat/service-kit';
import { type Channel, type ChannelModel } from 'amqplib';
import { ClusterProbe } from '../health/kafka.readiness';
import { RabbitMqConnection } from './rabbitmq.connection';
import { RabbitMqConsumers } from './rabbitmq-consumers';
import { RABBITMQ_OPTIONS, type ResolvedRabbitMqOptions } from './rabbitmq.options';

@Injectable()
export class RabbitMqReadinessCheck implements ReadinessCheck, OnModuleInit, OnApplicationShutdown {
  readonly name = 'rabbitmq';
  private readonly probe: ClusterProbe;

  constructor(
    connection: RabbitMqConnection,
    @Inject(RABBITMQ_OPTIONS) options: ResolvedRabbitMqOptions,
    private readonly registry: ReadinessRegistry,
    private readonly consumers: RabbitMqConsumers,
  ) {
    let model: ChannelModel | undefined;
    let channel: Channel | undefined;
    this.probe = new ClusterProbe(
      {
        connect: async () => {
          model = await connection.openOther('readiness');
          model.on('error', () => undefined);
          channel = await model.createChannel();
          channel.on('error', () => undefined);
        },
        // A round trip that touches nothing: the default direct exchange always exists.
        describeCluster: async () => {
          if (channel === undefined) throw new Error('no probe channel');
          await channel.checkExchange('amq.direct');
        },
        disconnect: async () => {
          const closing = model;
          model = undefined;
          channel = undefined;
          await closing?.close().catch(() => undefined);
        },
      },
      options.readinessTimeoutMs,
      'rabbitmq',
    );
  }

  onModuleInit(): void {
    this.registry.register(this);
  }

  async check(): Promise<void> {
    const down = this.consumers.crashedGroups();
    if (down.length > 0) throw new Error(`consumer group(s) ${down.join(', ')} not running`);
    await this.probe.check();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.probe.close();
  }
}
