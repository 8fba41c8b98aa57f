import { type DynamicModule, Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { ReadinessRegistry } from '@chat/service-kit';

export interface RedisOptions {
  url: string;
  /** This service's own ACL user (REDIS_USERNAME / REDIS_PASSWORD), kept out of the URL. */
  username?: string;
  password?: string;
  /** Prefix of every key this service writes: services share a server, never a key space. */
  keyPrefix: string;
  /**
   * Set when the service keeps serving without Redis: what it does meanwhile (shown by
   * `/health/ready`, which then stays ready while Redis is unreachable). Unset: Redis is required.
   */
  degrades?: string;
}

export const REDIS = Symbol('REDIS');

class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

@Global()
@Module({})
export class RedisModule {
  static forRoot(options: RedisOptions): DynamicModule {
    return {
      module: RedisModule,
      providers: [
        {
          provide: REDIS,
          inject: [ReadinessRegistry],
          useFactory: (readiness: ReadinessRegistry): Redis => {
            const logger = new Logger('Redis');
            const redis = new Redis(options.url, {
              keyPrefix: options.keyPrefix,
              ...(options.username !== undefined ? { username: options.username } : {}),
              ...(options.password !== undefined ? { password: options.password } : {}),
              // Fail commands fast while disconnected instead of queueing them without bound.
              maxRetriesPerRequest: 1,
              enableOfflineQueue: true,
              connectTimeout: 2_000,
              retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
            });
            let lastError = '';
            redis.on('error', (error: Error) => {
              if (error.message !== lastError) logger.warn(`redis: ${error.message}`);
              lastError = error.message;
            });
            redis.on('ready', () => (lastError = ''));
            readiness.register({
              name: 'redis',
              ...(options.degrades !== undefined ? { degrades: options.degrades } : {}),
              check: async () => {
                if (redis.status !== 'ready') throw new Error(`redis connection is ${redis.status}`);
                await redis.ping();
              },
            });
            return redis;
          },
        },
        RedisCloser,
      ],
      exports: [REDIS],
    };
  }
}
