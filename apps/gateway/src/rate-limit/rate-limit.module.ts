import { Module } from '@nestjs/common';
import { SendRateLimiter } from './send-rate-limiter';

@Module({ providers: [SendRateLimiter], exports: [SendRateLimiter] })
export class RateLimitModule {}
