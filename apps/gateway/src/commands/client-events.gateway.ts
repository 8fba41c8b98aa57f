// The gateway's one Nest WebSocket gateway: every client-to-server event of PROTOCOL.md is a
// @SubscribeMessage handler. On the way in (GatewayIoAdapter, then Nest): counted; refused
// without an acknowledgement callback where one is required (AckRequired); its payload checked
// against the contract (ClientPayloadPipe: size, shape, zod schema); then run: a Kafka command
// (CommandService), `sync` over REST, typing and presence (apps/gateway/src/presence), or
// `auth:refresh`. A handler's result is the acknowledgement; whatever it throws is answered by
// ClientEventFilter (an AppError with its code, anything else `unavailable`), so nothing reaches
// Socket.IO, disconnects the socket or goes unanswered. Unknown events are answered `invalid`.
//
// The socket side (handshake, rooms, per-socket set-up of other features) belongs to
// SocketServer: this class hands it the server when Nest created it and each socket when it connects.
import { UseFilters, UseGuards } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { type Ack, CLIENT_EVENT_SCHEMAS, type SyncResult } from '@chat/contracts';
import { JwtVerifier } from '@chat/auth-client';
import { AppError } from '@chat/service-kit';
import { MessagingApi } from '../messaging-api/messaging-api.client';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import { PresenceReporter } from '../presence/presence-reporter';
import { TypingService } from '../presence/typing.service';
import { AckRequired } from '../socket/ack-required.guard';
import { ClientEventFilter } from '../socket/client-event.filter';
import { ClientPayloadPipe, type EventPayload } from '../socket/client-payload.pipe';
import { SOCKET_IO_PATH, SocketServer } from '../socket/socket.server';
import { type GatewayServer, type GatewaySocket } from '../socket/socket.types';
import { type CommandAck, type CommandEvent, CommandService, unavailable } from './command.service';
import { PendingAcks } from './pending-acks';

/** `sync` calls one socket may have running at once (each is a REST call to messaging). */
export const SYNCS_PER_CONNECTION = 4;

const CLIENT_EVENTS: ReadonlySet<string> = new Set(Object.keys(CLIENT_EVENT_SCHEMAS));

@WebSocketGateway({ path: SOCKET_IO_PATH, serveClient: false })
@UseFilters(ClientEventFilter)
export class ClientEventsGateway implements OnGatewayInit<GatewayServer>, OnGatewayConnection<GatewaySocket>, OnGatewayDisconnect<GatewaySocket> {
  private readonly syncsInFlight = new WeakMap<GatewaySocket, number>();

  constructor(
    private readonly sockets: SocketServer,
    private readonly commands: CommandService,
    private readonly messaging: MessagingApi,
    private readonly pending: PendingAcks,
    private readonly verifier: JwtVerifier,
    private readonly typingService: TypingService,
    private readonly presence: PresenceReporter,
    private readonly metrics: GatewayMetrics,
  ) {}

  afterInit(server: GatewayServer): void {
    this.sockets.bind(server);
  }

  handleConnection(socket: GatewaySocket): void {
    this.sockets.connected(socket);
    socket.onAny((event: string, ...args: unknown[]) => {
      if (CLIENT_EVENTS.has(event)) return;
      this.metrics.eventsIn.inc({ event: 'unknown' });
      const ack = args[args.length - 1];
      if (typeof ack !== 'function') return;
      const started = process.hrtime.bigint();
      (ack as (answer: Ack) => void)({ ok: false, error: { code: 'invalid', message: `unknown event "${event.slice(0, 64)}"` } });
      this.metrics.ackLatency.observe({ event: 'unknown', outcome: 'invalid' }, Number(process.hrtime.bigint() - started) / 1e9);
    });
  }

  handleDisconnect(socket: GatewaySocket): void {
    this.pending.dropSocket(socket.id);
  }

  @SubscribeMessage('message:send')
  @UseGuards(AckRequired)
  send(@ConnectedSocket() socket: GatewaySocket, @MessageBody(new ClientPayloadPipe('message:send')) payload: EventPayload<'message:send'>): Promise<CommandAck | undefined> {
    return this.command(socket, 'message:send', payload);
  }

  @SubscribeMessage('message:edit')
  @UseGuards(AckRequired)
  edit(@ConnectedSocket() socket: GatewaySocket, @MessageBody(new ClientPayloadPipe('message:edit')) payload: EventPayload<'message:edit'>): Promise<CommandAck | undefined> {
    return this.command(socket, 'message:edit', payload);
  }

  @SubscribeMessage('message:delete')
  @UseGuards(AckRequired)
  delete(@ConnectedSocket() socket: GatewaySocket, @MessageBody(new ClientPayloadPipe('message:delete')) payload: EventPayload<'message:delete'>): Promise<CommandAck | undefined> {
    return this.command(socket, 'message:delete', payload);
  }

  @SubscribeMessage('reaction:add')
  @UseGuards(AckRequired)
  react(@ConnectedSocket() socket: GatewaySocket, @MessageBody(new ClientPayloadPipe('reaction:add')) payload: EventPayload<'reaction:add'>): Promise<CommandAck | undefined> {
    return this.command(socket, 'reaction:add', payload);
  }

  @SubscribeMessage('reaction:remove')
  @UseGuards(AckRequired)
  unreact(@ConnectedSocket() socket: GatewaySocket, @MessageBody(new ClientPayloadPipe('reaction:remove')) payload: EventPayload<'reaction:remove'>): Promise<CommandAck | undefined> {
    return this.command(socket, 'reaction:remove', payload);
  }

  @SubscribeMessage('read')
  @UseGuards(AckRequired)
  read(@ConnectedSocket() socket: GatewaySocket, @MessageBody(new ClientPayloadPipe('read')) payload: EventPayload<'read'>): Promise<CommandAck | undefined> {
    return this.command(socket, 'read', payload);
  }

  /** Messages after the client's last seqs, fetched from messaging with the socket's token; a few at once per socket. */
  @SubscribeMessage('sync')
  @UseGuards(AckRequired)
  async sync(@ConnectedSocket() socket: GatewaySocket, @MessageBody(new ClientPayloadPipe('sync')) payload: EventPayload<'sync'>): Promise<Ack<SyncResult>> {
    const running = this.syncsInFlight.get(socket) ?? 0;
    if (running >= SYNCS_PER_CONNECTION) {
      return { ok: false, error: { code: 'rate_limited', message: `at most ${SYNCS_PER_CONNECTION} sync calls at once per connection` } };
    }
    this.syncsInFlight.set(socket, running + 1);
    try {
      // Messaging's refusals are AppErrors, answered with their code by ClientEventFilter.
      return { ok: true, ...(await this.messaging.sync(socket.data.token, payload)) };
    } finally {
      this.syncsInFlight.set(socket, (this.syncsInFlight.get(socket) ?? 1) - 1);
    }
  }

  /** The acknowledgement is optional: without one, the indicator is relayed all the same. */
  @SubscribeMessage('typing')
  typing(@ConnectedSocket() socket: GatewaySocket, @MessageBody(new ClientPayloadPipe('typing')) payload: EventPayload<'typing'>): Promise<Ack> {
    return this.typingService.typing(socket.id, socket.data.user.id, payload);
  }

  @SubscribeMessage('presence:away')
  @UseGuards(AckRequired)
  away(@ConnectedSocket() socket: GatewaySocket, @MessageBody(new ClientPayloadPipe('presence:away')) _payload: EventPayload<'presence:away'>): Ack {
    return this.presence.setAway(socket.id, true) ? { ok: true } : unavailable('this connection is closing');
  }

  @SubscribeMessage('presence:active')
  @UseGuards(AckRequired)
  active(@ConnectedSocket() socket: GatewaySocket, @MessageBody(new ClientPayloadPipe('presence:active')) _payload: EventPayload<'presence:active'>): Ack {
    return this.presence.setAway(socket.id, false) ? { ok: true } : unavailable('this connection is closing');
  }

  /**
   * Replaces the token the gateway uses for this socket's REST calls, for the same user only. A
   * bad or expired token is an AppError (`unauthorized`/`unavailable`), answered by ClientEventFilter.
   */
  @SubscribeMessage('auth:refresh')
  @UseGuards(AckRequired)
  async refresh(@ConnectedSocket() socket: GatewaySocket, @MessageBody(new ClientPayloadPipe('auth:refresh')) payload: EventPayload<'auth:refresh'>): Promise<Ack> {
    const { sub } = await this.verifier.verify(payload.token);
    if (sub !== socket.data.user.id) throw new AppError('forbidden', 'the token belongs to another user');
    socket.data.token = payload.token;
    return { ok: true };
  }

  private command<E extends CommandEvent>(socket: GatewaySocket, event: E, payload: EventPayload<E>): Promise<CommandAck | undefined> {
    return this.commands.run({ socketId: socket.id, userId: socket.data.user.id }, event, payload);
  }
}
