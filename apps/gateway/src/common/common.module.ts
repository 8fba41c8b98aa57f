// What every gateway feature may inject without importing a module for it: the clock.
import { Global, Module } from '@nestjs/common';
import { Clock } from './clock';

@Global()
@Module({ providers: [Clock], exports: [Clock] })
export class CommonModule {}
