// Socket.IO handshakes are limited per client address before the token is even verified, then per
// user once it is (both budgets shared by every instance through Redis, per instance while Redis
// is away), and a user may hold at most SOCKETS_PER_USER sockets on one instance. A refusal is a
// `connect_error` whose message is `rate_limited` and whose data is `{code, message, retryAfterMs}`.
import { type IncomingMessage } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, clientAddress } from '@chat/service-kit';
import { type ExtendedError } from 'socket.io';
import { type GatewayConfig } from '../config';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import { handshakeError } from '../socket/handshake';
import { SocketServer } from '../socket/socket.server';
import { GatewayLimits } from './gateway-limits';
import { rateLimited } from './rate-limited';

export type HandshakeRefusal = 'address' | 'user' | 'sockets';

function refusal(message: string, retryAfterMs: number): ExtendedError {
  const error = handshakeError('rate_limited', message);
  error.data = rateLimited(message, retryAfterMs);
  return error;
}

@Injectable()
export class HandshakeLimits {
  constructor(
    @Inject(GatewayLimits) private readonly limits: Pick<GatewayLimits, 'handshakeByAddress' | 'handshakeByUser'>,
    /** SOCKETS_PER_USER; TRUST_PROXY: the proxy hops whose X-Forwarded-For is believed. */
    @Inject(APP_CONFIG) private readonly config: Pick<GatewayConfig, 'SOCKETS_PER_USER' | 'TRUST_PROXY'>,
    @Inject(SocketServer) private readonly sockets: Pick<SocketServer, 'openSocketsOf'>,
    @Inject(GatewayMetrics) private readonly metrics: Pick<GatewayMetrics, 'rateLimited'>,
  ) {}

  /** Before the token is verified: per client address. Throws the refusal. */
  async beforeAuth(request: Pick<IncomingMessage, 'headers' | 'socket'>): Promise<void> {
    const decision = await this.limits.handshakeByAddress.consume(clientAddress(request, this.config.TRUST_PROXY));
    if (decision.allowed) return;
    this.refused('address');
    throw refusal('connection attempts from this address', decision.retryAfterMs);
  }

  /** After the token was verified: per user, and the user's open sockets here. Throws the refusal. */
  async afterAuth(userId: string): Promise<void> {
    const socketsPerUser = this.config.SOCKETS_PER_USER;
    if (this.sockets.openSocketsOf(userId) >= socketsPerUser) {
      this.refused('sockets');
      // A socket frees its place when it closes, whenever that is: try again in a while.
      throw refusal(`open connections (at most ${socketsPerUser} per user on one server)`, 10_000);
    }
    const decision = await this.limits.handshakeByUser.consume(userId);
    if (decision.allowed) return;
    this.refused('user');
    throw refusal('connection attempts of this user', decision.retryAfterMs);
  }

  private refused(why: HandshakeRefusal): void {
    this.metrics.rateLimited.inc({ limit: `handshake-${why}` });
  }
}
