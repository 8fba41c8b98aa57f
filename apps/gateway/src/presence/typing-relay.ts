// Typing between gateway instances over Redis pub/sub: fire-and-forget, stored nowhere, which is
// what an indicator that expires in seconds needs (a Kafka topic would keep it for days). One
// channel per system, named after the Kafka topic prefix so parallel systems sharing a Redis
// server (tests) never hear each other. Every instance hears every event and emits it to its
// local channel room, except to the sender's own devices.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { type TypingEvent, TypingEventSchema } from '@chat/contracts';
import { APP_CONFIG, redisCredentials } from '@chat/service-kit';
import Redis from 'ioredis';
import { type GatewayConfig } from '../config';
import { channelRoom, userRoom } from '../socket/rooms';
import { SocketServer } from '../socket/socket.server';

@Injectable()
export class TypingRelay {
  private readonly logger = new Logger('TypingRelay');
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly channel: string;

  constructor(
    /** REDIS_URL with the gateway's own ACL user (pub/sub on its typing channel only); the topic prefix names the channel. */
    @Inject(APP_CONFIG) config: Pick<GatewayConfig, 'REDIS_URL' | 'REDIS_USERNAME' | 'REDIS_PASSWORD' | 'KAFKA_TOPIC_PREFIX'>,
    @Inject(SocketServer) private readonly sockets: Pick<SocketServer, 'emitToRooms'>,
  ) {
    this.channel = `gateway:typing:${config.KAFKA_TOPIC_PREFIX ?? ''}`;
    const settings = { ...redisCredentials(config), maxRetriesPerRequest: 1, connectTimeout: 2_000, retryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000), lazyConnect: true };
    this.publisher = new Redis(config.REDIS_URL, settings);
    this.subscriber = new Redis(config.REDIS_URL, settings);
    for (const client of [this.publisher, this.subscriber]) client.on('error', (error: Error) => this.logger.debug(`redis: ${error.message}`));
  }

  /**
   * Connects, and resolves once subscribed or after `waitMs`, never rejecting: typing is the only
   * thing lost without Redis, so the gateway starts (and stays ready) while Redis is unreachable,
   * and the relay joins once it answers. ioredis reconnects and subscribes again by itself after
   * an outage.
   */
  async start(waitMs = 2_000): Promise<void> {
    this.subscriber.on('message', (_channel: string, text: string) => this.received(text));
    const subscribed = new Promise<void>((resolve) => {
      this.subscriber.once('ready', () => {
        this.subscriber.subscribe(this.channel).then(
          () => resolve(),
          (error: unknown) => this.logger.warn(`typing relay could not subscribe: ${error instanceof Error ? error.message : String(error)}`),
        );
      });
    });
    for (const client of [this.publisher, this.subscriber]) {
      client.connect().catch((error: unknown) => this.logger.warn(`typing is off until Redis answers: ${error instanceof Error ? error.message : String(error)}`));
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)));
    await Promise.race([subscribed, timeout]);
    clearTimeout(timer);
  }

  /** False while Redis is unreachable: typing is off. */
  get available(): boolean {
    return this.publisher.status === 'ready' && this.subscriber.status === 'ready';
  }

  async publish(event: TypingEvent): Promise<void> {
    await this.publisher.publish(this.channel, JSON.stringify(event));
  }

  async stop(): Promise<void> {
    await Promise.all([this.publisher, this.subscriber].map((c) => c.quit().catch(() => c.disconnect())));
  }

  /** To the channel's local sockets, except the typist's own devices. */
  private deliver(event: TypingEvent): void {
    this.sockets.emitToRooms([channelRoom(event.channelId)], userRoom(event.userId), 'typing', event);
  }

  private received(text: string): void {
    try {
      const parsed = TypingEventSchema.safeParse(JSON.parse(text));
      if (parsed.success) this.deliver(parsed.data);
      else this.logger.warn('ignored a malformed typing event');
    } catch {
      this.logger.warn('ignored a typing event that is not JSON');
    }
  }
}
