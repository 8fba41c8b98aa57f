// Rate limits of every client action the gateway admits: socket events (per user), handshakes (per
// address and user, open sockets per user) and proxied REST calls (per address, user and route).
// See the README's "Rate limits" for which budgets are per instance and which shared.
import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
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
  providers: [GatewayLimits, SendRateLimiter, SocketEventLimits, HandshakeLimits, RestLimits, SocketLimitsBinding],
  exports: [SendRateLimiter, RestLimits],
})
export class RateLimitModule {}
