// The adapters every feature may use: the clock, id generation and messaging's event publisher.
import { Module } from '@nestjs/common';
import { Clock } from './clock';
import { EventsPublisher } from './events.publisher';
import { IdGenerator } from './id-generator';

@Module({ providers: [Clock, IdGenerator, EventsPublisher], exports: [Clock, IdGenerator, EventsPublisher] })
export class CommonModule {}
