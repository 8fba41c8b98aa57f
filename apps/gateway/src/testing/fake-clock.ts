import { Clock } from '../common/clock';

/** A clock specs set by hand (`ms`, epoch milliseconds). */
export class FakeClock extends Clock {
  constructor(public ms = 0) {
    super();
  }

  override now(): number {
    return this.ms;
  }
}
