// Every client event of a socket passes its user's budget (EVENT_BUDGETS) before any handler sees
// it: a Socket.IO per-socket middleware (`socket.use`), so the command pipeline stays unaware of
// it. The budgets are counted in this process: no Redis round trip per send (README "Rate
// limits"). `message:send` is counted at admission by CommandService through SendRateLimiter (the
// same budget), so here it only keeps its place in line.
//
// A socket's events leave this middleware in the order they came: each waits for the decision on
// the one before, so an allowed edit cannot fall behind a later send of the same socket.
// A refused event is answered `rate_limited` (with `retryAfterMs`) when it asked for an
// acknowledgement and dropped otherwise (`typing`); the connection is never closed.
import { Inject, Injectable } from '@nestjs/common';
import { type Ack, type ClientEventName } from '@chat/contracts';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import { EVENT_BUDGETS, GatewayLimits, type SocketBudget } from './gateway-limits';
import { rateLimited } from './rate-limited';
import { type RateDecision } from './rule-limiter';

export type SocketMiddleware = (packet: unknown[], next: (error?: Error) => void) => void;

/**
 * Budgets counted elsewhere, passed through in order, not counted: sends are counted by
 * CommandService's admission (SendRateLimiter), which keeps them in order.
 */
const COUNTED_ELSEWHERE: ReadonlySet<SocketBudget> = new Set(['send']);

const WHAT: Readonly<Record<SocketBudget, string>> = {
  send: 'messages',
  change: 'edits, deletes and reactions',
  read: 'read markers',
  sync: 'sync calls',
  event: 'events',
};

const ALLOWED: RateDecision = { allowed: true };

function budgetOf(event: unknown): SocketBudget | undefined {
  return typeof event === 'string' && Object.hasOwn(EVENT_BUDGETS, event) ? EVENT_BUDGETS[event as ClientEventName] : undefined;
}

@Injectable()
export class SocketEventLimits {
  constructor(
    @Inject(GatewayLimits) private readonly limits: Pick<GatewayLimits, 'socketEvents'>,
    @Inject(GatewayMetrics) private readonly metrics: Pick<GatewayMetrics, 'rateLimited'>,
  ) {}

  /** The middleware of one socket of `userId`. */
  forSocket(userId: string): SocketMiddleware {
    let previous: Promise<void> = Promise.resolve();
    return (packet, next) => {
      const budget = budgetOf(packet[0]);
      // Unknown events are answered `invalid` by the pipeline (onAny), whatever their order.
      if (budget === undefined) return next();
      const decided = previous.then(() => (COUNTED_ELSEWHERE.has(budget) ? ALLOWED : this.limits.socketEvents[budget].consume(userId)));
      previous = decided.then(
        (decision) => {
          if (decision.allowed) return next();
          this.metrics.rateLimited.inc({ limit: `socket-${budget}` });
          const ack = packet[packet.length - 1];
          if (typeof ack === 'function') (ack as (answer: Ack) => void)({ ok: false, error: rateLimited(WHAT[budget], decision.retryAfterMs) });
        },
        // A limiter that cannot decide lets the event through (RuleLimiter itself never rejects).
        () => next(),
      ).catch(() => undefined);
    };
  }
}
