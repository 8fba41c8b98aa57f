// Owns what the gateway does with the Socket.IO server Nest creates (ClientEventsGateway hands it
// over in `afterInit`): the handshake, the rooms a socket joins on connect (its user, its
// workspaces, its channels), and the local room operations delivery uses. Feature code adds
// per-socket set-up through `onConnection` and handshake checks through `addHandshakeCheck`.
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { type Channel, LIMITS, type ServerToClientEvents } from '@chat/contracts';
import { type ExtendedError } from 'socket.io';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import { OversizedPayload } from './frame-limit.parser';
import { handshakeError, HandshakeAuthenticator } from './handshake';
import { RecentMembershipChanges } from './membership-changes';
import { channelRoom, userRoom, workspaceRoom } from './rooms';
import { type GatewayServer, type GatewaySocket } from './socket.types';

/** Where the gateway serves Socket.IO (its @WebSocketGateway's `path`). */
export const SOCKET_IO_PATH = '/socket.io';

export type ConnectionListener = (socket: GatewaySocket) => void;

/**
 * A check of a connecting socket, before its token is verified (`before-auth`: only the request is
 * known) or after (`after-auth`: `socket.data` is set). Rejects with the ExtendedError to refuse it.
 */
export type HandshakeCheck = (socket: GatewaySocket) => Promise<void>;
type HandshakeStage = 'before-auth' | 'after-auth';

/** The room operations delivery needs (a fake in specs). */
export interface LocalRooms {
  emit<E extends keyof ServerToClientEvents>(room: string, event: E, ...args: Parameters<ServerToClientEvents[E]>): void;
  /** Moves every local socket of the user into the channel (and its workspace) room. */
  joinChannel(userId: string, channel: Channel): void;
  /** Takes every local socket of the user out of the channel room. */
  leaveChannel(userId: string, channel: Channel): void;
}

@Injectable()
export class SocketServer implements LocalRooms, OnModuleDestroy {
  private readonly logger = new Logger('SocketServer');
  private server: GatewayServer | undefined;
  private readonly listeners: ConnectionListener[] = [];
  private readonly checks: Record<HandshakeStage, HandshakeCheck[]> = { 'before-auth': [], 'after-auth': [] };
  private closing = false;

  constructor(
    private readonly handshake: HandshakeAuthenticator,
    private readonly changes: RecentMembershipChanges,
    private readonly metrics: GatewayMetrics,
  ) {}

  /**
   * Takes the Socket.IO server Nest created through GatewayIoAdapter (the gateway's `afterInit`,
   * before the HTTP server listens) and installs the handshake: the shutdown check and the
   * `before-auth` checks, the authentication (HandshakeAuthenticator: Passport's JwtStrategy and
   * the memberships), then the `after-auth` checks.
   */
  bind(io: GatewayServer): void {
    if (this.server) throw new Error('the Socket.IO server is already bound');
    io.use((socket, next) => {
      if (this.closing) next(handshakeError('unavailable', 'this gateway is shutting down; reconnect'));
      else this.runChecks('before-auth', socket, next);
    });
    io.use(this.handshake.middleware);
    io.use((socket, next) => this.runChecks('after-auth', socket, next));
    this.server = io;
  }

  get io(): GatewayServer | undefined {
    return this.server;
  }

  onConnection(listener: ConnectionListener): void {
    this.listeners.push(listener);
  }

  /** Adds a check every connecting socket must pass (registered before the server listens, e.g. in onModuleInit). */
  addHandshakeCheck(stage: HandshakeStage, check: HandshakeCheck): void {
    this.checks[stage].push(check);
  }

  private runChecks(stage: HandshakeStage, socket: GatewaySocket, next: (error?: ExtendedError) => void): void {
    this.checks[stage]
      .reduce((previous, check) => previous.then(() => check(socket)), Promise.resolve())
      .then(
        () => next(),
        (error: unknown) => {
          const refusal = error instanceof Error ? (error as ExtendedError) : handshakeError('unavailable', 'the connection could not be set up; try again');
          this.metrics.handshakes.inc({ outcome: refusal.message });
          next(refusal);
        },
      );
  }

  emit<E extends keyof ServerToClientEvents>(room: string, event: E, ...args: Parameters<ServerToClientEvents[E]>): void {
    const io = this.server;
    if (!io) return;
    const recipients = io.sockets.adapter.rooms.get(room)?.size ?? 0;
    if (recipients === 0) return;
    // The emitter's own generic parameter type is not expressible from outside; the signature above is the typed one.
    (io.to(room).emit as (event: E, ...payload: Parameters<ServerToClientEvents[E]>) => boolean)(event, ...args);
    this.metrics.eventsOut.inc({ event }, recipients);
  }

  /**
   * Emits once to every local socket in any of `rooms` (a socket in several gets it once), except
   * sockets in the room `except` (a sender's own devices).
   */
  emitToRooms<E extends keyof ServerToClientEvents>(rooms: readonly string[], except: string | undefined, event: E, ...args: Parameters<ServerToClientEvents[E]>): number {
    const io = this.server;
    if (!io || rooms.length === 0) return 0;
    const local = io.sockets.adapter.rooms;
    if (!rooms.some((room) => (local.get(room)?.size ?? 0) > 0)) return 0;
    const target = except === undefined ? io.to([...rooms]) : io.to([...rooms]).except(except);
    // The emitter's own generic parameter type is not expressible from outside; the signature above is the typed one.
    (target.emit as (event: E, ...payload: Parameters<ServerToClientEvents[E]>) => boolean)(event, ...args);
    this.metrics.eventsOut.inc({ event });
    return 1;
  }

  /** Whether a local socket is in a room (a channel room: the socket's user is a member). */
  socketIn(socketId: string, room: string): boolean {
    return this.server?.sockets.sockets.get(socketId)?.rooms.has(room) ?? false;
  }

  /** How many sockets the user has open on this instance. */
  openSocketsOf(userId: string): number {
    return this.server?.sockets.adapter.rooms.get(userRoom(userId))?.size ?? 0;
  }

  /** The sockets of one user connected to this instance. */
  localSocketsOf(userId: string): GatewaySocket[] {
    const io = this.server;
    const ids = io?.sockets.adapter.rooms.get(userRoom(userId));
    if (!io || !ids) return [];
    return [...ids].flatMap((id) => {
      const socket = io.sockets.sockets.get(id);
      return socket ? [socket] : [];
    });
  }

  joinChannel(userId: string, channel: Channel): void {
    this.changes.record({ userId, channel, change: 'joined' });
    this.server?.in(userRoom(userId)).socketsJoin([channelRoom(channel.id), workspaceRoom(channel.workspaceId)]);
  }

  leaveChannel(userId: string, channel: Channel): void {
    this.changes.record({ userId, channel, change: 'left' });
    this.server?.in(userRoom(userId)).socketsLeave(channelRoom(channel.id));
  }

  /** Moves every local socket of the user into the workspace room (presence of its members). */
  joinWorkspace(userId: string, workspaceId: string): void {
    this.server?.in(userRoom(userId)).socketsJoin(workspaceRoom(workspaceId));
  }

  /** Takes every local socket of the user out of the workspace room (they left or were removed). */
  leaveWorkspace(userId: string, workspaceId: string): void {
    this.server?.in(userRoom(userId)).socketsLeave(workspaceRoom(workspaceId));
    for (const socket of this.localSocketsOf(userId)) socket.data.workspaceIds = socket.data.workspaceIds.filter((id) => id !== workspaceId);
  }

  /** Disconnects every client first, so they reconnect to another instance while this one drains. */
  onModuleDestroy(): void {
    this.closing = true;
    const io = this.server;
    if (!io) return;
    io.disconnectSockets(true);
    io.engine.close();
  }

  /**
   * Sets up an authenticated socket (the gateway's `handleConnection`, before its event handlers
   * are bound): its rooms, the oversized-frame answer, then every `onConnection` listener.
   */
  connected(socket: GatewaySocket): void {
    try {
      const { user, workspaceIds, channelIds, membershipCursor } = socket.data;
      void socket.join([userRoom(user.id), ...workspaceIds.map(workspaceRoom), ...channelIds.map(channelRoom)]);
      // Membership events consumed while the handshake fetched memberships (see membership-changes.ts).
      for (const { channel, change } of this.changes.since(user.id, membershipCursor)) {
        if (change === 'joined') void socket.join([channelRoom(channel.id), workspaceRoom(channel.workspaceId)]);
        else void socket.leave(channelRoom(channel.id));
      }
      this.metrics.connectedSockets.inc();
      socket.once('disconnect', () => this.metrics.connectedSockets.dec());
      socket.use(([event, payload, ...rest], next) => {
        if (!(payload instanceof OversizedPayload)) {
          next();
          return;
        }
        // Too large to have been parsed (frame-limit.parser.ts): answered here, never dispatched.
        const ack: unknown = rest[rest.length - 1];
        const message = `payload of ${event || 'the event'} is over ${LIMITS.socketPayloadMaxBytes} bytes (a ${payload.packetLength}-character frame); at most ${LIMITS.socketPayloadMaxBytes} are accepted`;
        if (typeof ack === 'function') (ack as (answer: unknown) => void)({ ok: false, error: { code: 'too_large', message } });
        this.metrics.oversizedFrames.inc();
      });
      for (const listener of this.listeners) listener(socket);
      this.logger.debug(`socket ${socket.id} of ${user.id} connected (${channelIds.length} channels)`);
    } catch (error) {
      this.logger.error({ err: error }, 'could not set up a connected socket; disconnecting it');
      socket.disconnect(true);
    }
  }
}
