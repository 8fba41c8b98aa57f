// chat.presence.changed.v1 → `presence` to the local sockets of users who share a workspace with
// the user: the event names the user's workspaces and every socket sits in its workspaces' rooms
// (a socket in several of them gets the event once). A stranger is in none of those rooms.
import { type PresenceChanged } from '@chat/contracts';
import { workspaceRoom } from '../socket/rooms';
import { type SocketServer } from '../socket/socket.server';

export class PresenceDelivery {
  constructor(private readonly rooms: Pick<SocketServer, 'emitToRooms'>) {}

  deliver({ userId, status, lastSeenAt, workspaceIds }: PresenceChanged): void {
    this.rooms.emitToRooms(workspaceIds.map(workspaceRoom), undefined, 'presence', { userId, status, lastSeenAt });
  }
}
