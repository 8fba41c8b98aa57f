// Socket.IO handshake: `auth.token` is authenticated by the Passport JwtStrategy every REST guard
// runs (through Passport, as the handshake's bearer credential; verified locally against the
// cached JWKS: no call to auth per connection), then the user's memberships are fetched from
// messaging with that token. Any failure refuses the connection with a `connect_error` whose
// message is the protocol code (`unauthorized` for a missing, bad or expired token; `unavailable`
// when keys or memberships cannot be had) and whose `data` is `{code, message}`. A token of a
// session auth has revoked (RevokedSessions) is refused as `unauthorized` too.
import { Injectable, Logger } from '@nestjs/common';
import { type ErrorCode } from '@chat/contracts';
import { JwtStrategy } from '@chat/auth-client';
import { AppError } from '@chat/service-kit';
import { type ExtendedError } from 'socket.io';
import { MessagingApi } from '../messaging-api/messaging-api.client';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import { RecentMembershipChanges } from './membership-changes';
import { RevokedSessions } from './revoked-sessions';
import { type GatewaySocket, type GatewaySocketData } from './socket.types';

export function handshakeError(code: ErrorCode, message: string): ExtendedError {
  const error: ExtendedError = new Error(code);
  error.data = { code, message };
  return error;
}

/** The parts of JwtStrategy and MessagingApi the handshake uses (fakes in specs). */
export interface HandshakeDeps {
  jwt: Pick<JwtStrategy, 'authenticateToken'>;
  messaging: Pick<MessagingApi, 'memberships'>;
  changes: Pick<RecentMembershipChanges, 'cursor'>;
  revoked: Pick<RevokedSessions, 'has'>;
}

/** Resolves the socket's data, or throws the ExtendedError to refuse it with. */
export async function authenticateHandshake(auth: unknown, deps: HandshakeDeps): Promise<GatewaySocketData> {
  const token = typeof auth === 'object' && auth !== null ? (auth as { token?: unknown }).token : undefined;
  if (typeof token !== 'string' || token.length === 0) throw handshakeError('unauthorized', 'auth.token is missing');
  try {
    const { user, claims } = await deps.jwt.authenticateToken(token);
    if (deps.revoked.has(claims.sid)) throw new AppError('unauthorized', 'this session was signed out; sign in again');
    const membershipCursor = deps.changes.cursor();
    const memberships = await deps.messaging.memberships(token);
    return {
      user,
      token,
      workspaceIds: memberships.workspaceIds,
      channelIds: memberships.channelIds,
      membershipCursor,
    };
  } catch (error) {
    if (error instanceof AppError) {
      // Only two answers make sense to a connecting client: fix the token, or try again later.
      const code = error.code === 'unauthorized' || error.code === 'forbidden' ? 'unauthorized' : 'unavailable';
      throw handshakeError(code, error.message);
    }
    throw handshakeError('unavailable', 'the connection could not be set up; try again');
  }
}

@Injectable()
export class HandshakeAuthenticator {
  private readonly logger = new Logger('Handshake');

  constructor(
    private readonly jwt: JwtStrategy,
    private readonly messaging: MessagingApi,
    private readonly changes: RecentMembershipChanges,
    private readonly revoked: RevokedSessions,
    private readonly metrics: GatewayMetrics,
  ) {}

  /** Socket.IO middleware; never throws, never leaves `next` uncalled. */
  readonly middleware = (socket: GatewaySocket, next: (error?: ExtendedError) => void): void => {
    authenticateHandshake(socket.handshake.auth, { jwt: this.jwt, messaging: this.messaging, changes: this.changes, revoked: this.revoked }).then(
      (data) => {
        socket.data = data;
        this.metrics.handshakes.inc({ outcome: 'ok' });
        next();
      },
      (error: unknown) => {
        const refusal = error instanceof Error ? (error as ExtendedError) : handshakeError('unavailable', String(error));
        this.metrics.handshakes.inc({ outcome: refusal.message });
        this.logger.debug(`handshake refused: ${refusal.message} (${(refusal.data as { message?: string } | undefined)?.message ?? ''})`);
        next(refusal);
      },
    );
  };
}
