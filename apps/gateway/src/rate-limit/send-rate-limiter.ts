// The `message:send` budget as CommandService's admission consumes it: per user, counted in this
// process (GatewayLimits' `send`, SEND_RATE_LIMIT), so a send costs no Redis round trip.
import { Injectable } from '@nestjs/common';
import { GatewayLimits } from './gateway-limits';
import { type Limiter, type RateDecision } from './rule-limiter';

export type { RateDecision } from './rule-limiter';

@Injectable()
export class SendRateLimiter implements Limiter {
  constructor(private readonly limits: GatewayLimits) {}

  consume(userId: string): Promise<RateDecision> {
    return this.limits.socketEvents.send.consume(userId);
  }
}
