// REST routing of the one origin: installed in front of Express by the bootstrap `configure` hook.
import { Module } from '@nestjs/common';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { RestProxy } from './rest-proxy';

@Module({ imports: [RateLimitModule], providers: [RestProxy], exports: [RestProxy] })
export class ProxyModule {}
