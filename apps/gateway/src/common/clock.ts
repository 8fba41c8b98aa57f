import { Injectable } from '@nestjs/common';

/** The time, behind a class so specs can fix it (epoch milliseconds, as Date.now). */
@Injectable()
export class Clock {
  now(): number {
    return Date.now();
  }
}
