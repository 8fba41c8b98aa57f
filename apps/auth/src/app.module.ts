// auth: accounts, password hashing, access tokens (JWKS) and rotating refresh tokens. Owns the
// chat_auth PostgreSQL database, the `auth:` Redis key space (rate limits) and the
// chat.user.registered.v1 topic.
import { join } from 'node:path';
import { type DynamicModule, Module } from '@nestjs/common';
import { AuthGuard, JwtStrategy, JwtVerifier } from '@chat/auth-client';
import { BusModule } from '@chat/kafka';
import { PostgresModule } from '@chat/postgres';
import { REDIS, RedisModule } from '@chat/redis';
import { redisCredentials, ServiceKitModule, type ServiceIdentity } from '@chat/service-kit';
import type Redis from 'ioredis';
import { AccountsController } from './accounts/accounts.controller';
import { AccountsRepository } from './accounts/accounts.repository';
import { AccountsService } from './accounts/accounts.service';
import { LocalAuthGuard } from './accounts/local-auth.guard';
import { LocalStrategy } from './accounts/local.strategy';
import { PasswordHasher } from './accounts/password-hasher';
import { Clock } from './common/clock';
import { Transactions } from './common/database';
import { RandomSource } from './common/random';
import { type AuthConfig } from './config';
import { KeyCipher } from './keys/key-cipher';
import { KeysController } from './keys/keys.controller';
import { KeysRepository } from './keys/keys.repository';
import { KeysService } from './keys/keys.service';
import { SigningKeyFactory } from './keys/signing-key.factory';
import { EventPublisher } from './outbox/event-publisher';
import { OutboxRelay } from './outbox/outbox-relay.service';
import { OutboxRepository } from './outbox/outbox.repository';
import { ClientAddresses } from './rate-limit/client-address';
import { RateLimitRepository } from './rate-limit/rate-limit.repository';
import { LoginThrottle } from './rate-limit/login-throttle';
import { RATE_LIMITERS, RateLimitService, redisRateLimiters } from './rate-limit/rate-limit.service';
import { AccessTokenSigner } from './tokens/access-token.signer';
import { RefreshTokensRepository } from './tokens/refresh-tokens.repository';
import { TokensController } from './tokens/tokens.controller';
import { TokensService } from './tokens/tokens.service';

@Module({})
export class AppModule {
  static forRoot(identity: ServiceIdentity, config: AuthConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forRoot(identity, config),
        PostgresModule.forRoot({ url: config.POSTGRES_URL, migrationsDir: join(__dirname, 'migrations') }),
        RedisModule.forRoot({ url: config.REDIS_URL, ...redisCredentials(config), keyPrefix: config.AUTH_REDIS_KEY_PREFIX }),
        BusModule.forService(identity.instanceId, config),
      ],
      controllers: [AccountsController, TokensController, KeysController],
      providers: [
        Clock,
        RandomSource,
        Transactions,
        // accounts
        AccountsRepository,
        AccountsService,
        PasswordHasher,
        // sign-in: the local Passport strategy and its guard
        LocalStrategy,
        LocalAuthGuard,
        // rate limits
        ClientAddresses,
        RateLimitRepository,
        { provide: RATE_LIMITERS, inject: [REDIS], useFactory: (redis: Redis) => redisRateLimiters(redis, config) },
        RateLimitService,
        LoginThrottle,
        // keys
        KeyCipher,
        KeysRepository,
        KeysService,
        SigningKeyFactory,
        // tokens
        AccessTokenSigner,
        RefreshTokensRepository,
        TokensService,
        // auth verifies its own tokens the way every service does (Passport's JwtStrategy behind
        // AuthGuard), with its key store instead of HTTP
        {
          provide: JwtVerifier,
          inject: [KeysService],
          useFactory: (keys: KeysService) =>
            new JwtVerifier({ keyResolver: keys.keyResolver, issuer: config.AUTH_TOKEN_ISSUER, audience: config.AUTH_TOKEN_AUDIENCE }),
        },
        JwtStrategy,
        AuthGuard,
        // events
        OutboxRepository,
        OutboxRelay,
        EventPublisher,
      ],
    };
  }
}
