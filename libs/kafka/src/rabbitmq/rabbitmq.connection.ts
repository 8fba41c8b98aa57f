// The process's AMQP connection to RabbitMQ: opened on first use, opened again on the next use
// after the broker closed it (the users of its channels notice the close themselves and start
// over: a consumer that lost its channel lost its partitions with it). Closed at shutdown, after
// the consumers (onApplicationShutdown runs after onModuleDestroy).
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { type ChannelModel, connect } from 'amqplib';
import { connectionUrl, RABBITMQ_OPTIONS, type ResolvedRabbitMqOptions } from './rabbitmq.options';

@Injectable()
export class RabbitMqConnection implements OnApplicationShutdown {
  private readonly logger = new Logger('RabbitMq');
  private connecting: Promise<ChannelModel> | undefined;
  private closed = false;

  constructor(@Inject(RABBITMQ_OPTIONS) private readonly options: ResolvedRabbitMqOptions) {}

  /** The open connection, or a new one (one attempt at a time; a failed attempt is forgotten). */
  get(): Promise<ChannelModel> {
    if (this.closed) return Promise.reject(new Error('the RabbitMQ connection is shut down'));
    this.connecting ??= this.open().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  /** A separate connection (readiness probes; tests that stand for another process). */
  openOther(suffix: string): Promise<ChannelModel> {
    return connect(connectionUrl(this.options), socketOptions(`${this.options.clientId}-${suffix}`));
  }

  private async open(): Promise<ChannelModel> {
    const model = await connect(connectionUrl(this.options), socketOptions(this.options.clientId));
    const forget = (): void => {
      if (this.connecting !== undefined) this.connecting = undefined;
    };
    model.on('close', (error?: Error) => {
      forget();
      if (!this.closed) this.logger.warn({ err: error }, 'RabbitMQ connection closed; the next use opens a new one');
    });
    model.on('error', (error: Error) => this.logger.warn({ err: error }, 'RabbitMQ connection error'));
    return model;
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    const connecting = this.connecting;
    this.connecting = undefined;
    if (connecting === undefined) return;
    const model = await connecting.catch(() => undefined);
    await model?.close().catch(() => undefined);
  }
}

/**
 * amqplib leaves Nagle's algorithm on (`noDelay` false): a publish written while an earlier frame
 * is unacknowledged would wait for the broker's delayed ACK (up to 40 ms), as kafkajs's requests
 * did (kafka-socket.ts). The channels frame and flush their own writes.
 */
function socketOptions(connectionName: string): { noDelay: boolean; clientProperties: { connection_name: string } } {
  return { noDelay: true, clientProperties: { connection_name: connectionName } };
}
