// Every proxied REST call passes, in this order: the client address's budget (before anything is
// verified), then, when it carries a valid bearer token, its user's budget, then the budget of the
// route when it has one (search; file creation). A call without a valid token is judged by its
// address only and goes on: the owning service answers it 401. Refusals are 429 `rate_limited`
// with Retry-After (seconds) and `retryAfterMs` in the body.
import { type IncomingMessage } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { JwtVerifier } from '@chat/auth-client';
import { APP_CONFIG, clientAddress } from '@chat/service-kit';
import { type GatewayConfig } from '../config';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import { type RestAdmission, type RestCall } from '../proxy/rest-proxy';
import { GatewayLimits } from './gateway-limits';
import { rateLimited } from './rate-limited';
import { type Limiter } from './rule-limiter';

export type RestBudget = 'address' | 'user' | 'search' | 'file-create';

type RestLimiters = Pick<GatewayLimits, 'restByAddress' | 'restByUser' | 'search' | 'fileCreate'>;

interface RouteBudget {
  budget: 'search' | 'file-create';
  what: string;
  matches: (call: RestCall) => boolean;
  limiter: (limits: RestLimiters) => Limiter;
}

const ROUTE_BUDGETS: readonly RouteBudget[] = [
  { budget: 'search', what: 'searches', matches: (call) => call.method === 'GET' && call.path === '/api/search', limiter: (limits) => limits.search },
  { budget: 'file-create', what: 'uploads', matches: (call) => call.method === 'POST' && call.path === '/api/files', limiter: (limits) => limits.fileCreate },
];

const ALLOWED: RestAdmission = { allowed: true };

function bearerToken(req: Pick<IncomingMessage, 'headers'>): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7).trim() || undefined : undefined;
}

@Injectable()
export class RestLimits {
  constructor(
    @Inject(GatewayLimits) private readonly limits: RestLimiters,
    /** TRUST_PROXY: the proxy hops whose X-Forwarded-For is believed. */
    @Inject(APP_CONFIG) private readonly config: Pick<GatewayConfig, 'TRUST_PROXY'>,
    @Inject(JwtVerifier) private readonly verifier: Pick<JwtVerifier, 'verify'>,
    @Inject(GatewayMetrics) private readonly metrics: Pick<GatewayMetrics, 'rateLimited'>,
  ) {}

  async admit(req: Pick<IncomingMessage, 'headers' | 'socket'>, call: RestCall): Promise<RestAdmission> {
    const byAddress = await this.limits.restByAddress.consume(clientAddress(req, this.config.TRUST_PROXY));
    if (!byAddress.allowed) return this.refuse('address', 'requests from this address', byAddress.retryAfterMs);
    const token = bearerToken(req);
    const userId = token === undefined ? undefined : await this.userOf(token);
    if (userId === undefined) return ALLOWED;
    const byUser = await this.limits.restByUser.consume(userId);
    if (!byUser.allowed) return this.refuse('user', 'requests', byUser.retryAfterMs);
    const route = ROUTE_BUDGETS.find((candidate) => candidate.matches(call));
    if (!route) return ALLOWED;
    const byRoute = await route.limiter(this.limits).consume(userId);
    return byRoute.allowed ? ALLOWED : this.refuse(route.budget, route.what, byRoute.retryAfterMs);
  }

  /** The user of a valid access token, or undefined (a bad or expired token). */
  private userOf(token: string): Promise<string | undefined> {
    return this.verifier.verify(token).then(
      (claims) => claims.sub,
      () => undefined,
    );
  }

  private refuse(budget: RestBudget, what: string, retryAfterMs: number): RestAdmission {
    this.metrics.rateLimited.inc({ limit: `rest-${budget}` });
    return { allowed: false, error: rateLimited(what, retryAfterMs), retryAfterMs };
  }
}
