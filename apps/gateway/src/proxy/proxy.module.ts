// REST routing of the one origin: installed in front of Express by the bootstrap `configure` hook.
import { Module } from '@nestjs/common';
import { RestProxy } from './rest-proxy';

@Module({ providers: [RestProxy], exports: [RestProxy] })
export class ProxyModule {}
