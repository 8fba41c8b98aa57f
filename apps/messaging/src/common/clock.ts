import { Injectable } from '@nestjs/common';

/** The service's only source of time, so specs can fix it. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }
}
