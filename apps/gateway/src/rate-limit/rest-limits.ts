// Every proxied REST call passes, in this order: the client address's budget (before anything is
// verified), then, when it carries a valid bearer token, its user's budget, then the budget of the
// route when it has one (search; file creation). A call without a valid token is judged by its
// address only and goes on: the owning service answers it 401. Refusals are 429 `rate_limited`
// with Retry-After (seconds) and `retryAfterMs` in the body.
import { type IncomingMessage } from 'node:http';
import { clientAddress } from '@chat/service-kit';
import { type RestAdmission, type RestCall } from '../proxy/rest-proxy';
import { rateLimited } from './rate-limited';
import { type Limiter } from './rule-limiter';

export type RestBudget = 'address' | 'user' | 'search' | 'file-create';

export interface RestLimitsDeps {
  byAddress: Limiter;
  byUser: Limiter;
  search: Limiter;
  fileCreate: Limiter;
  /** Proxy hops whose X-Forwarded-For is believed (TRUST_PROXY). */
  trustedHops: number;
  /** The user of a valid access token, or undefined (a bad or expired token). */
  userOf: (token: string) => Promise<string | undefined>;
  onRefused?: (budget: RestBudget) => void;
}

interface RouteBudget {
  budget: 'search' | 'file-create';
  what: string;
  matches: (call: RestCall) => boolean;
  limiter: (deps: RestLimitsDeps) => Limiter;
}

const ROUTE_BUDGETS: readonly RouteBudget[] = [
  { budget: 'search', what: 'searches', matches: (call) => call.method === 'GET' && call.path === '/api/search', limiter: (deps) => deps.search },
  { budget: 'file-create', what: 'uploads', matches: (call) => call.method === 'POST' && call.path === '/api/files', limiter: (deps) => deps.fileCreate },
];

const ALLOWED: RestAdmission = { allowed: true };

function bearerToken(req: Pick<IncomingMessage, 'headers'>): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7).trim() || undefined : undefined;
}

export class RestLimits {
  constructor(private readonly deps: RestLimitsDeps) {}

  async admit(req: Pick<IncomingMessage, 'headers' | 'socket'>, call: RestCall): Promise<RestAdmission> {
    const byAddress = await this.deps.byAddress.consume(clientAddress(req, this.deps.trustedHops));
    if (!byAddress.allowed) return this.refuse('address', 'requests from this address', byAddress.retryAfterMs);
    const token = bearerToken(req);
    const userId = token === undefined ? undefined : await this.deps.userOf(token);
    if (userId === undefined) return ALLOWED;
    const byUser = await this.deps.byUser.consume(userId);
    if (!byUser.allowed) return this.refuse('user', 'requests', byUser.retryAfterMs);
    const route = ROUTE_BUDGETS.find((candidate) => candidate.matches(call));
    if (!route) return ALLOWED;
    const byRoute = await route.limiter(this.deps).consume(userId);
    return byRoute.allowed ? ALLOWED : this.refuse(route.budget, route.what, byRoute.retryAfterMs);
  }

  private refuse(budget: RestBudget, what: string, retryAfterMs: number): RestAdmission {
    this.deps.onRefused?.(budget);
    return { allowed: false, error: rateLimited(what, retryAfterMs), retryAfterMs };
  }
}
