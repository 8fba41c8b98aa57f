// The Socket.IO server's handshake and rooms (SocketServer). Nest creates the server itself, through
// GatewayIoAdapter, for ClientEventsGateway (commands/), which hands it to SocketServer.
import { Module } from '@nestjs/common';
import { APP_CONFIG } from '@chat/service-kit';
import { type GatewayConfig } from '../config';
import { HandshakeAuthenticator } from './handshake';
import { RecentMembershipChanges } from './membership-changes';
import { RevokedSessions } from './revoked-sessions';
import { SocketServer } from './socket.server';

@Module({
  providers: [
    {
      provide: RecentMembershipChanges,
      inject: [APP_CONFIG],
      // Long enough to cover the slowest memberships fetch a handshake may make.
      useFactory: (config: GatewayConfig) => new RecentMembershipChanges({ maxAgeMs: 2 * config.MESSAGING_TIMEOUT_MS + 10_000, maxEntries: 100_000 }),
    },
    {
      provide: RevokedSessions,
      inject: [APP_CONFIG],
      useFactory: (config: GatewayConfig) => new RevokedSessions({ retainMs: config.REVOKED_SESSIONS_RETAIN_MS, maxEntries: 1_000_000 }),
    },
    HandshakeAuthenticator,
    SocketServer,
  ],
  exports: [SocketServer, RevokedSessions],
})
export class SocketModule {}
