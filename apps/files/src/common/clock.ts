import { Injectable } from '@nestjs/common';

/** The time, behind a class so that specs can set it. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
