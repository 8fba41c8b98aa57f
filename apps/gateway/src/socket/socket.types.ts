// The typed Socket.IO server of the gateway: events from contracts, per-socket data set at handshake.
import { type ClientToServerEvents, type ServerToClientEvents } from '@chat/contracts';
import { type DefaultEventsMap, type Server, type Socket } from 'socket.io';

export interface SocketUser {
  id: string;
  username: string;
}

/** What the handshake leaves on every connected socket. */
export interface GatewaySocketData {
  user: SocketUser;
  /** The access token the socket connected with: forwarded to messaging for memberships and `sync`. */
  token: string;
  workspaceIds: string[];
  channelIds: string[];
  /** Position in RecentMembershipChanges before memberships were fetched: changes after it are replayed. */
  membershipCursor: number;
}

export type GatewayServer = Server<ClientToServerEvents, ServerToClientEvents, DefaultEventsMap, GatewaySocketData>;
export type GatewaySocket = Socket<ClientToServerEvents, ServerToClientEvents, DefaultEventsMap, GatewaySocketData>;
