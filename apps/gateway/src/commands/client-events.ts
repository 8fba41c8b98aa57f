// Every client-to-server event of a connected socket goes through one pipeline: count it, guard it
// (ack present, size, object, schema), run it (Kafka command, `sync` over REST, typing and
// presence through apps/gateway/src/presence, or a not-yet-available answer), acknowledge exactly once and time the acknowledgement. The listener never
// throws into Socket.IO, never disconnects the socket and never rejects: an unexpected error is
// logged and answered `unavailable`.
import { Logger } from '@nestjs/common';
import { type Ack, type AuthRefreshPayload, CLIENT_EVENT_SCHEMAS, type ClientEventName, type SyncPayload, type SyncResult, type TypingPayload } from '@chat/contracts';
import { AppError } from '@chat/service-kit';
import { type AckFn, type EventPayload, guardClientEvent } from './payload-guard';
import { type CommandContext, type CommandEvent, type CommandService, unavailable } from './command.service';

/** What the pipeline needs of a socket (a fake EventEmitter in specs). */
export interface ClientConnection {
  readonly id: string;
  readonly data: { user: { id: string }; token: string };
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  onAny(listener: (event: string, ...args: unknown[]) => void): unknown;
  once(event: 'disconnect', listener: () => void): unknown;
}

export interface ClientEventsDeps {
  maxPayloadBytes: number;
  /** `sync` calls of one socket running at once; more are answered `rate_limited`. */
  maxConcurrentSyncs: number;
  commands: Pick<CommandService, 'run'>;
  sync: (token: string, payload: SyncPayload) => Promise<SyncResult>;
  /** Verifies an access token; resolves to its user id, or throws AppError unauthorized/unavailable. */
  verifyToken: (token: string) => Promise<string>;
  onDisconnect: (socketId: string) => void;
  /** `typing` (apps/gateway/src/presence). */
  typing: (socketId: string, userId: string, payload: TypingPayload) => Promise<Ack>;
  /** `presence:away` / `presence:active` of one socket; false when the socket is unknown. */
  setAway: (socketId: string, away: boolean) => boolean;
  observe?: {
    eventIn(event: string): void;
    acked(event: string, outcome: string, seconds: number): void;
  };
}

const CLIENT_EVENTS = Object.keys(CLIENT_EVENT_SCHEMAS) as ClientEventName[];
const OPTIONAL_ACK: ReadonlySet<ClientEventName> = new Set(['typing']);

export class ClientEvents {
  private readonly logger = new Logger('ClientEvents');
  private readonly syncsInFlight = new WeakMap<ClientConnection, number>();

  constructor(private readonly deps: ClientEventsDeps) {}

  bind(connection: ClientConnection): void {
    for (const event of CLIENT_EVENTS) {
      connection.on(event, (...args: unknown[]) => {
        this.handle(connection, event, args).catch((error: unknown) => this.logger.error({ err: error, event }, 'event pipeline failed'));
      });
    }
    connection.onAny((event, ...args) => {
      if ((CLIENT_EVENTS as string[]).includes(event)) return;
      this.deps.observe?.eventIn('unknown');
      const ack = args[args.length - 1];
      if (typeof ack !== 'function') return;
      const answer: Ack = { ok: false, error: { code: 'invalid', message: `unknown event "${event.slice(0, 64)}"` } };
      this.reply(ack as AckFn, 'unknown', process.hrtime.bigint(), answer);
    });
    connection.once('disconnect', () => this.deps.onDisconnect(connection.id));
  }

  async handle<E extends ClientEventName>(connection: ClientConnection, event: E, args: readonly unknown[]): Promise<void> {
    const started = process.hrtime.bigint();
    this.deps.observe?.eventIn(event);
    let ack: AckFn | undefined;
    try {
      const guard = guardClientEvent(event, args, { maxBytes: this.deps.maxPayloadBytes, ackRequired: !OPTIONAL_ACK.has(event) });
      if (guard.kind === 'drop') {
        this.logger.debug(`dropped ${event} from ${connection.id}: ${guard.reason}`);
        return;
      }
      ack = guard.ack;
      const answer = guard.kind === 'reject' ? { ok: false as const, error: guard.error } : await this.execute(connection, event, guard.payload);
      if (answer && ack) this.reply(ack, event, started, answer);
    } catch (error) {
      this.logger.error({ err: error, event }, 'unexpected error handling a client event');
      if (ack) this.reply(ack, event, started, unavailable('internal error; try again'));
    }
  }

  private async execute<E extends ClientEventName>(connection: ClientConnection, event: E, payload: EventPayload<E>): Promise<Ack<object> | undefined> {
    const context: CommandContext = { socketId: connection.id, userId: connection.data.user.id };
    const name: ClientEventName = event;
    switch (name) {
      case 'message:send':
      case 'message:edit':
      case 'message:delete':
      case 'reaction:add':
      case 'reaction:remove':
      case 'read':
        // The payload was parsed with this event's schema; TypeScript cannot correlate the two through the switch.
        return this.deps.commands.run(context, name, payload as EventPayload<CommandEvent>);
      case 'sync':
        return this.sync(connection, payload as SyncPayload);
      case 'typing':
        return this.deps.typing(connection.id, connection.data.user.id, payload as TypingPayload);
      case 'presence:away':
      case 'presence:active':
        return this.deps.setAway(connection.id, name === 'presence:away') ? { ok: true } : unavailable('this connection is closing');
      case 'auth:refresh':
        return this.refreshToken(connection, payload as AuthRefreshPayload);
    }
  }

  /** Replaces the token the gateway uses for this socket's REST calls, for the same user only. */
  private async refreshToken(connection: ClientConnection, payload: AuthRefreshPayload): Promise<Ack<object>> {
    try {
      const userId = await this.deps.verifyToken(payload.token);
      if (userId !== connection.data.user.id) return { ok: false, error: { code: 'forbidden', message: 'the token belongs to another user' } };
      connection.data.token = payload.token;
      return { ok: true };
    } catch (error) {
      if (error instanceof AppError) return { ok: false, error: { code: error.code, message: error.message } };
      throw error;
    }
  }

  private async sync(connection: ClientConnection, payload: SyncPayload): Promise<Ack<object>> {
    const running = this.syncsInFlight.get(connection) ?? 0;
    if (running >= this.deps.maxConcurrentSyncs) {
      return { ok: false, error: { code: 'rate_limited', message: `at most ${this.deps.maxConcurrentSyncs} sync calls at once per connection` } };
    }
    this.syncsInFlight.set(connection, running + 1);
    try {
      return { ok: true, ...(await this.deps.sync(connection.data.token, payload)) };
    } catch (error) {
      if (error instanceof AppError) return { ok: false, error: { code: error.code, message: error.message } };
      throw error;
    } finally {
      this.syncsInFlight.set(connection, (this.syncsInFlight.get(connection) ?? 1) - 1);
    }
  }

  private reply(ack: AckFn, event: string, started: bigint, answer: Ack<object>): void {
    try {
      ack(answer);
    } catch (error) {
      // Socket.IO's own ack function does not throw; a misbehaving one must not escape either.
      this.logger.warn({ err: error, event }, 'acknowledgement callback threw');
    }
    this.deps.observe?.acked(event, answer.ok ? 'ok' : answer.error.code, Number(process.hrtime.bigint() - started) / 1e9);
  }
}
