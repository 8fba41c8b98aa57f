import { Global, Module } from '@nestjs/common';
import { APP_CONFIG } from '@chat/service-kit';
import { type GatewayConfig } from '../config';
import { MessagingApi } from './messaging-api.client';

@Global()
@Module({
  providers: [
    {
      provide: MessagingApi,
      inject: [APP_CONFIG],
      useFactory: (config: GatewayConfig) => new MessagingApi({ baseUrl: config.MESSAGING_URL, timeoutMs: config.MESSAGING_TIMEOUT_MS }),
    },
  ],
  exports: [MessagingApi],
})
export class MessagingApiModule {}
