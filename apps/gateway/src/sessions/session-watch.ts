// Keeps open sockets honest after the handshake. A socket lives only as long as the access token
// it holds (the one it connected with, or the last one handed over with `auth:refresh`, which
// replaces `socket.data.token`) plus a short grace; and a socket whose session auth revoked
// (logout, sign out everywhere, password change, refresh-token reuse) is closed as soon as the
// chat.auth.session-revoked.v1 event reaches this gateway. Either way the client is told why with
// `session:closed` ({code: 'unauthorized'}) just before the server disconnects it.
import { Inject, Injectable } from '@nestjs/common';
import { type ErrorDetail, type SessionRevokedEvent } from '@chat/contracts';
import { APP_CONFIG } from '@chat/service-kit';
import { decodeJwt } from 'jose';
import { Clock } from '../common/clock';
import { type GatewayConfig } from '../config';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import { RevokedSessions } from '../socket/revoked-sessions';
import { SocketServer } from '../socket/socket.server';

/** What the watch needs of a socket (a fake in specs). */
export interface WatchedSocket {
  readonly id: string;
  readonly data: { user: { id: string }; token: string };
  emit(event: 'session:closed', error: ErrorDetail): unknown;
  disconnect(close: boolean): unknown;
  once(event: 'disconnect', listener: () => void): unknown;
}

export type CloseReason = 'expired' | 'revoked';

/** Where the watch finds a user's sockets on this instance (SocketServer). */
export interface WatchedSockets {
  localSocketsOf(userId: string): readonly WatchedSocket[];
}

interface TokenFacts {
  expiresAtMs: number;
  issuedAtMs: number;
  sid: string | undefined;
}

/** The claims the watch reads, from a token that was verified when it was set on the socket. */
function facts(token: string): TokenFacts | undefined {
  try {
    const claims = decodeJwt(token);
    if (typeof claims.exp !== 'number') return undefined;
    return { expiresAtMs: claims.exp * 1000, issuedAtMs: (claims.iat ?? 0) * 1000, sid: typeof claims['sid'] === 'string' ? claims['sid'] : undefined };
  } catch {
    return undefined;
  }
}

/** Reasons that end every session of the user (a token without `sid` is judged by its age). */
const USER_WIDE: ReadonlySet<SessionRevokedEvent['reason']> = new Set(['sign-out-everywhere', 'password-changed']);

@Injectable()
export class SessionWatch {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    /** SOCKET_TOKEN_GRACE_MS: how long a socket outlives its token without `auth:refresh`. */
    @Inject(APP_CONFIG) private readonly config: Pick<GatewayConfig, 'SOCKET_TOKEN_GRACE_MS'>,
    @Inject(RevokedSessions) private readonly revoked: Pick<RevokedSessions, 'add' | 'has'>,
    @Inject(SocketServer) private readonly sockets: WatchedSockets,
    @Inject(GatewayMetrics) private readonly metrics: Pick<GatewayMetrics, 'sessionsClosed'>,
    private readonly clock: Clock,
  ) {}

  /** Starts watching a connected socket until it disconnects. */
  watch(socket: WatchedSocket): void {
    socket.once('disconnect', () => {
      clearTimeout(this.timers.get(socket.id));
      this.timers.delete(socket.id);
    });
    this.check(socket);
  }

  /** Closes every local socket of the revoked sessions and remembers them for later handshakes. */
  revoke(event: SessionRevokedEvent): number {
    this.revoked.add(event.sessionIds);
    const ended = new Set(event.sessionIds);
    const revokedAtMs = Date.parse(event.revokedAt);
    let closed = 0;
    for (const socket of this.sockets.localSocketsOf(event.userId)) {
      const token = facts(socket.data.token);
      const hit = token?.sid !== undefined ? ended.has(token.sid) : USER_WIDE.has(event.reason) && (token?.issuedAtMs ?? 0) <= revokedAtMs;
      if (!hit) continue;
      this.close(socket, 'revoked', `this session was signed out (${event.reason}); sign in again`);
      closed++;
    }
    return closed;
  }

  get watching(): number {
    return this.timers.size;
  }

  /** Closes the socket if its token is over; otherwise checks again when it will be. */
  private check(socket: WatchedSocket): void {
    this.timers.delete(socket.id);
    const token = facts(socket.data.token);
    if (!token) {
      this.close(socket, 'expired', 'the access token cannot be read; reconnect with a new one');
      return;
    }
    if (this.revoked.has(token.sid)) {
      this.close(socket, 'revoked', 'this session was signed out; sign in again');
      return;
    }
    const deadline = token.expiresAtMs + this.config.SOCKET_TOKEN_GRACE_MS;
    const wait = deadline - this.clock.now();
    if (wait <= 0) {
      this.close(socket, 'expired', 'the access token expired and no auth:refresh came; reconnect with a new token');
      return;
    }
    // The token may be replaced meanwhile (auth:refresh): the check reads it again then.
    const timer = setTimeout(() => this.check(socket), Math.min(wait, 2_147_000_000));
    timer.unref();
    this.timers.set(socket.id, timer);
  }

  private close(socket: WatchedSocket, reason: CloseReason, message: string): void {
    clearTimeout(this.timers.get(socket.id));
    this.timers.delete(socket.id);
    // The packet goes out before the disconnect: engine.io flushes its write buffer before closing.
    socket.emit('session:closed', { code: 'unauthorized', message });
    socket.disconnect(true);
    this.metrics.sessionsClosed.inc({ reason });
  }
}
