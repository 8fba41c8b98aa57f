// Socket.IO handshakes are limited per client address before the token is even verified, then per
// user once it is (both budgets shared by every instance through Redis, per instance while Redis
// is away), and a user may hold at most SOCKETS_PER_USER sockets on one instance. A refusal is a
// `connect_error` whose message is `rate_limited` and whose data is `{code, message, retryAfterMs}`.
import { type IncomingMessage } from 'node:http';
import { clientAddress } from '@chat/service-kit';
import { type ExtendedError } from 'socket.io';
import { handshakeError } from '../socket/handshake';
import { rateLimited } from './rate-limited';
import { type Limiter } from './rule-limiter';

export type HandshakeRefusal = 'address' | 'user' | 'sockets';

export interface HandshakeLimitsDeps {
  byAddress: Limiter;
  byUser: Limiter;
  socketsPerUser: number;
  /** Proxy hops whose X-Forwarded-For is believed (TRUST_PROXY). */
  trustedHops: number;
  /** Sockets the user has open on this instance now. */
  openSockets: (userId: string) => number;
  onRefused?: (why: HandshakeRefusal) => void;
}

function refusal(message: string, retryAfterMs: number): ExtendedError {
  const error = handshakeError('rate_limited', message);
  error.data = rateLimited(message, retryAfterMs);
  return error;
}

export class HandshakeLimits {
  constructor(private readonly deps: HandshakeLimitsDeps) {}

  /** Before the token is verified: per client address. Throws the refusal. */
  async beforeAuth(request: Pick<IncomingMessage, 'headers' | 'socket'>): Promise<void> {
    const decision = await this.deps.byAddress.consume(clientAddress(request, this.deps.trustedHops));
    if (decision.allowed) return;
    this.deps.onRefused?.('address');
    throw refusal('connection attempts from this address', decision.retryAfterMs);
  }

  /** After the token was verified: per user, and the user's open sockets here. Throws the refusal. */
  async afterAuth(userId: string): Promise<void> {
    if (this.deps.openSockets(userId) >= this.deps.socketsPerUser) {
      this.deps.onRefused?.('sockets');
      // A socket frees its place when it closes, whenever that is: try again in a while.
      throw refusal(`open connections (at most ${this.deps.socketsPerUser} per user on one server)`, 10_000);
    }
    const decision = await this.deps.byUser.consume(userId);
    if (decision.allowed) return;
    this.deps.onRefused?.('user');
    throw refusal('connection attempts of this user', decision.retryAfterMs);
  }
}
