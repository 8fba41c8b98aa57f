// Rate limits of every client action the gateway admits: socket events (per user), handshakes (per
// address and user, open sockets per user) and proxied REST calls (per address, user and route).
// See the README's "Rate limits" for which budgets are per instance and which shared.
import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { JwtVerifier } from '@chat/auth-client';
import { APP_CONFIG } from '@chat/service-kit';
import { type GatewayConfig } from '../config';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import { userRoom } from '../socket/rooms';
import { SocketModule } from '../socket/socket.module';
import { SocketServer } from '../socket/socket.server';
import { GatewayLimits } from './gateway-limits';
import { HandshakeLimits } from './handshake-limits';
import { RestLimits } from './rest-limits';
import { SendRateLimiter } from './send-rate-limiter';
import { SocketEventLimits } from './socket-event-limits';

@Injectable()
class SocketLimitsBinding implements OnModuleInit {
  constructor(
    private readonly sockets: SocketServer,
    private readonly events: SocketEventLimits,
    private readonly handshakes: HandshakeLimits,
  ) {}

  onModuleInit(): void {
    this.sockets.addHandshakeCheck('before-auth', (socket) => this.handshakes.beforeAuth(socket.request));
    this.sockets.addHandshakeCheck('after-auth', (socket) => this.handshakes.afterAuth(socket.data.user.id));
    this.sockets.onConnection((socket) => socket.use(this.events.forSocket(socket.data.user.id)));
  }
}

@Module({
  imports: [SocketModule],
  providers: [
    GatewayLimits,
    SendRateLimiter,
    {
      provide: SocketEventLimits,
      inject: [GatewayLimits, GatewayMetrics],
      useFactory: (limits: GatewayLimits, metrics: GatewayMetrics) =>
        new SocketEventLimits({
          limiters: limits.socketEvents,
          // Sends are counted by CommandService's admission (SendRateLimiter), which keeps them in order.
          countedElsewhere: new Set(['send']),
          onRefused: (budget) => metrics.rateLimited.inc({ limit: `socket-${budget}` }),
        }),
    },
    {
      provide: HandshakeLimits,
      inject: [GatewayLimits, APP_CONFIG, SocketServer, GatewayMetrics],
      useFactory: (limits: GatewayLimits, config: GatewayConfig, sockets: SocketServer, metrics: GatewayMetrics) =>
        new HandshakeLimits({
          byAddress: limits.handshakeByAddress,
          byUser: limits.handshakeByUser,
          socketsPerUser: config.SOCKETS_PER_USER,
          trustedHops: config.TRUST_PROXY,
          openSockets: (userId) => sockets.io?.sockets.adapter.rooms.get(userRoom(userId))?.size ?? 0,
          onRefused: (why) => metrics.rateLimited.inc({ limit: `handshake-${why}` }),
        }),
    },
    {
      provide: RestLimits,
      inject: [GatewayLimits, APP_CONFIG, JwtVerifier, GatewayMetrics],
      useFactory: (limits: GatewayLimits, config: GatewayConfig, verifier: JwtVerifier, metrics: GatewayMetrics) =>
        new RestLimits({
          byAddress: limits.restByAddress,
          byUser: limits.restByUser,
          search: limits.search,
          fileCreate: limits.fileCreate,
          trustedHops: config.TRUST_PROXY,
          userOf: (token) => verifier.verify(token).then((claims) => claims.sub, () => undefined),
          onRefused: (budget) => metrics.rateLimited.inc({ limit: `rest-${budget}` }),
        }),
    },
    SocketLimitsBinding,
  ],
  exports: [SendRateLimiter, RestLimits],
})
export class RateLimitModule {}
