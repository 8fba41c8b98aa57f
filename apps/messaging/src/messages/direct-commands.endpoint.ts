// The direct hop's receiving end (docs/design/sequencer.md, "The direct hop"): gateways that
// present COMMAND_HOP_SECRET hand sends straight to this instance on its HTTP port (Socket.IO
// namespace /internal/commands), one connection per gateway, a frame per turn of the gateway's
// event loop (DIRECT_SENDS_EVENT). Each send is answered at once: taken
// by the partition's sequencer under exactly the epoch the gateway named, or refused (the gateway
// then sends it through the bus). Its result travels as a bus command's does: the store's report
// settles the ack, an error comes as a reply on chat.command.reply.v1.
//
// A bare socket.io Server rather than a Nest @WebSocketGateway: the default IoAdapter runs an rxjs
// chain per event, which the gateway already had to replace for its own sockets (gateway-io.adapter.ts),
// and this endpoint has one event on the hot path and no guards or pipes to share.
import { timingSafeEqual } from 'node:crypto';
import { type Server as HttpServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Server, type Socket } from 'socket.io';
import { DIRECT_COMMANDS_NAMESPACE, DIRECT_SENDS_EVENT, type DirectSendAnswer, DirectSendSchema, LIMITS, MAX_DIRECT_SENDS } from '@chat/contracts';
import { APP_CONFIG } from '@chat/service-kit';
import { type MessagingConfig } from '../config';
import { DirectAddress } from './direct-address';
import { SendPipelineConsumer } from './send-pipeline.consumer';

/**
 * Largest frame accepted: a full batch of sends, each at most the 64 KiB a gateway admits, plus
 * their envelopes. Smaller, a batch of long messages would close the connection (and move every
 * send in flight on it to the bus).
 */
const MAX_FRAME_BYTES = MAX_DIRECT_SENDS * (LIMITS.socketPayloadMaxBytes + 1024);

@Injectable()
export class DirectCommandsEndpoint implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DirectCommands');
  private io: Server | undefined;

  constructor(
    private readonly http: HttpAdapterHost,
    private readonly pipeline: SendPipelineConsumer,
    private readonly address: DirectAddress,
    @Inject(APP_CONFIG) private readonly config: Pick<MessagingConfig, 'COMMAND_HOP_SECRET' | 'COMMAND_HOP_HOST'>,
  ) {}

  onApplicationBootstrap(): void {
    const secret = this.config.COMMAND_HOP_SECRET;
    if (!secret) {
      this.logger.log('COMMAND_HOP_SECRET is unset: sends come only through the bus');
      return;
    }
    const server = this.http.httpAdapter.getHttpServer() as HttpServer;
    const announce = (): void => {
      const { port } = server.address() as AddressInfo;
      const host = this.config.COMMAND_HOP_HOST;
      this.address.set(`http://${host.includes(':') ? `[${host}]` : host}:${port}`);
    };
    if (server.listening) announce();
    else server.once('listening', announce);

    this.io = new Server(server, { transports: ['websocket'], serveClient: false, maxHttpBufferSize: MAX_FRAME_BYTES });
    const expected = Buffer.from(secret);
    const namespace = this.io.of(DIRECT_COMMANDS_NAMESPACE);
    namespace.use((socket, next) => {
      const offered = (socket.handshake.auth as { secret?: unknown }).secret;
      const given = Buffer.from(typeof offered === 'string' ? offered : '');
      if (given.length === expected.length && timingSafeEqual(given, expected)) next();
      else next(new Error('unauthorized'));
    });
    namespace.on('connection', (socket: Socket) => {
      socket.on(DIRECT_SENDS_EVENT, (payload: unknown, ack: unknown) => {
        if (typeof ack !== 'function') return;
        const sends = Array.isArray(payload) && payload.length <= MAX_DIRECT_SENDS ? (payload as unknown[]) : [];
        // Taken one after another, synchronously: their order is the gateway's.
        (ack as (answers: DirectSendAnswer[]) => void)(sends.map((send) => this.take(send)));
      });
    });
  }

  /** Closes the gateways' connections (they send through the bus meanwhile); Nest closes the HTTP server itself. */
  onApplicationShutdown(): void {
    this.io?.of(DIRECT_COMMANDS_NAMESPACE).disconnectSockets(true);
  }

  private take(payload: unknown): DirectSendAnswer {
    const parsed = DirectSendSchema.safeParse(payload);
    if (!parsed.success) return { accepted: false, reason: 'invalid' };
    const { epoch, command, trace } = parsed.data;
    return this.pipeline.submitDirect(command, epoch, trace ?? {}) ? { accepted: true } : { accepted: false, reason: 'not_owner' };
  }
}
