// The Socket.IO server's handshake and rooms (SocketServer). Nest creates the server itself, through
// GatewayIoAdapter, for ClientEventsGateway (commands/), which hands it to SocketServer.
import { Module } from '@nestjs/common';
import { HandshakeAuthenticator } from './handshake';
import { RecentMembershipChanges } from './membership-changes';
import { RevokedSessions } from './revoked-sessions';
import { SocketServer } from './socket.server';

@Module({
  providers: [RecentMembershipChanges, RevokedSessions, HandshakeAuthenticator, SocketServer],
  exports: [SocketServer, RevokedSessions],
})
export class SocketModule {}
