// The gateway's Socket.IO adapter for Nest's WebSocket gateways. Two changes to IoAdapter:
// - the server is the project's own `socket.io` (@nestjs/platform-socket.io pins an exact, older
//   copy of its own), with the options that depend on configuration: engine.io's
//   `maxHttpBufferSize` (SOCKET_MAX_FRAME_BYTES) and the frame-limit parser (frame-limit.parser.ts);
//   the gateway's decorator gives the static ones (path, no client bundle);
// - events reach the gateway's @SubscribeMessage handlers through one plain listener per event,
//   shared by every socket, not through IoAdapter's rxjs pipeline (an Observable chain per event
//   and socket, and a `from(promise)` chain per event): `message:send` is on the hot path, and
//   tens of thousands of idle sockets would each hold a closure per event. Nest still runs its
//   guards, pipes and exception filters (the callback it binds to each socket); a handler's
//   result is the acknowledgement.
// Every event is counted, and its acknowledgement timed, here: whichever of the handler or
// ClientEventFilter answers, it calls the one wrapped callback.
import { type Server as HttpServer } from 'node:http';
import { type INestApplicationContext, Logger } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { type MessageMappingProperties } from '@nestjs/websockets';
import { LIMITS } from '@chat/contracts';
import { isObservable, type Observable } from 'rxjs';
import { Server, type ServerOptions } from 'socket.io';
import { frameLimitParser } from './frame-limit.parser';
import { type GatewayServer, type GatewaySocket } from './socket.types';

type NestIoSocket = Parameters<IoAdapter['bindMessageHandlers']>[0];

export interface ClientEventObserver {
  eventIn(event: string): void;
  /** An acknowledgement was sent: the event, its outcome (`ok` or the error code) and the seconds since the event came in. */
  acked(event: string, outcome: string, seconds: number): void;
}

export interface GatewayIoOptions {
  /** engine.io's `maxHttpBufferSize`: only a frame above it closes the transport. */
  maxFrameBytes: number;
  observer?: ClientEventObserver;
}

type AckFn = (answer: unknown) => void;
/** Nest's handler of one event (guards, pipes, the method, exception filters), bound to one socket. */
type NestCallback = (payload: unknown[], ack: AckFn | undefined) => unknown;

/** Where a socket keeps Nest's callbacks, by slot (GatewayIoAdapter.slotOf). */
const CALLBACKS = Symbol('gateway-io-callbacks');

export class GatewayIoAdapter extends IoAdapter {
  private readonly logger = new Logger('GatewayIoAdapter');
  private readonly slots = new Map<string, number>();
  private readonly listeners: ((this: GatewaySocket, ...args: unknown[]) => void)[] = [];

  constructor(
    appOrHttpServer: INestApplicationContext | HttpServer,
    private readonly options: GatewayIoOptions,
  ) {
    super(appOrHttpServer);
  }

  override createIOServer(port: number, options?: Partial<ServerOptions>): GatewayServer {
    const configured: Partial<ServerOptions> = {
      ...options,
      // Far above LIMITS.socketPayloadMaxBytes on purpose: every frame up to this hard bound is
      // answered `too_large` (payloads up to twice the limit by the handlers' pipe, larger ones
      // unparsed, through the parser below); only a larger frame makes the transport close.
      maxHttpBufferSize: this.options.maxFrameBytes,
      parser: frameLimitParser(2 * LIMITS.socketPayloadMaxBytes),
    };
    const httpServer = this.httpServer as HttpServer | undefined;
    return httpServer && port === 0 ? new Server(httpServer, configured) : new Server(port, configured);
  }

  override bindMessageHandlers(client: NestIoSocket, handlers: MessageMappingProperties[], transform: (data: unknown) => Observable<unknown>): void {
    // The socket of the server above (the project's socket.io), typed by Nest with its own copy's class.
    const socket = client as unknown as GatewaySocket & { [CALLBACKS]?: NestCallback[] };
    const callbacks: NestCallback[] = (socket[CALLBACKS] ??= []);
    for (const { message, callback, isAckHandledManually } of handlers) {
      const event = String(message);
      const slot = this.slotOf(event, isAckHandledManually, transform);
      if (callbacks[slot] !== undefined) {
        this.logger.error(`"${event}" has a handler already; only the first one is bound`);
        continue;
      }
      callbacks[slot] = callback as NestCallback;
      // The payload is validated by the handler's pipe, so the listener takes anything under any name.
      socket.on(event as 'message:send', this.listeners[slot]);
    }
  }

  /**
   * The position of the event's callback on every socket, and its listener: one function per event
   * for all sockets (Socket.IO calls it with the socket as `this`), so a socket holds only Nest's
   * callbacks bound to it, not a closure of its own per event.
   */
  private slotOf(event: string, isAckHandledManually: boolean, transform: (data: unknown) => Observable<unknown>): number {
    const known = this.slots.get(event);
    if (known !== undefined) return known;
    const slot = this.listeners.length;
    const dispatch = (callback: NestCallback, args: unknown[]): void => this.dispatch(event, callback, isAckHandledManually, transform, args);
    this.listeners.push(function (this: GatewaySocket & { [CALLBACKS]?: NestCallback[] }, ...args: unknown[]): void {
      const callback = this[CALLBACKS]?.[slot];
      if (callback) dispatch(callback, args);
    });
    this.slots.set(event, slot);
    return slot;
  }

  private dispatch(event: string, callback: NestCallback, isAckHandledManually: boolean, transform: (data: unknown) => Observable<unknown>, args: unknown[]): void {
    const started = process.hrtime.bigint();
    this.options.observer?.eventIn(event);
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? this.answering(event, last as AckFn, started) : undefined;
    // Nest's handler sees (socket, the payload arguments, the acknowledgement).
    const payload = ack ? args.slice(0, -1) : args;
    const answer = (response: unknown): void => {
      if (ack && !isAckHandledManually && response !== undefined && response !== null) ack(response);
    };
    Promise.resolve(callback(payload, ack)).then(
      (result: unknown) => {
        if (isObservable(result)) transform(result).subscribe(answer);
        else answer(result);
      },
      // Nest's exception filters answer handler errors; this is a failure outside them.
      (error: unknown) => this.logger.error({ err: error, event }, 'client event pipeline failed'),
    );
  }

  /** The acknowledgement callback, guarded (a throwing one must not escape) and timed. */
  private answering(event: string, ack: AckFn, started: bigint): AckFn {
    return (answer) => {
      try {
        ack(answer);
      } catch (error) {
        // Socket.IO's own ack function does not throw; a misbehaving one must not escape either.
        this.logger.warn({ err: error, event }, 'acknowledgement callback threw');
      }
      this.options.observer?.acked(event, outcomeOf(answer), Number(process.hrtime.bigint() - started) / 1e9);
    };
  }
}

function outcomeOf(answer: unknown): string {
  if (typeof answer !== 'object' || answer === null) return 'ok';
  const { ok, error } = answer as { ok?: unknown; error?: { code?: unknown } };
  return ok === false && typeof error?.code === 'string' ? error.code : 'ok';
}
