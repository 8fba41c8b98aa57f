// auth: accounts, password hashing, access tokens (JWKS) and rotating refresh tokens. Owns the
// chat_auth PostgreSQL database and the `auth:` Redis key space (rate limits).
import { join } from 'node:path';
import { type DynamicModule, Module } from '@nestjs/common';
import { PostgresModule } from '@chat/postgres';
import { RedisModule } from '@chat/redis';
import { ServiceKitModule, type ServiceIdentity } from '@chat/service-kit';
import { type AuthConfig } from './config';

@Module({})
export class AppModule {
  static forRoot(identity: ServiceIdentity, config: AuthConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forRoot(identity, config),
        PostgresModule.forRoot({ url: config.POSTGRES_URL, migrationsDir: join(__dirname, 'migrations') }),
        RedisModule.forRoot({ url: config.REDIS_URL, keyPrefix: 'auth:' }),
      ],
    };
  }
}
