import { Injectable } from '@nestjs/common';
import { AuthGuard as PassportAuthGuard } from '@nestjs/passport';
import { type IncomingHttpHeaders } from 'node:http';
import { type AccessClaims } from '@chat/contracts';
import { type AuthenticatedUser } from './access-token';
import { JwtStrategy } from './jwt.strategy';
import { authenticatedOrThrow } from './passport-strategy';

/** What the guard leaves on an authenticated HTTP request. */
export interface AuthenticatedRequest {
  headers: IncomingHttpHeaders;
  user?: AuthenticatedUser;
  /** The access token's claims (Passport's `authInfo`). */
  authInfo?: AccessClaims;
}

/**
 * Lets a request through only with a valid `Authorization: Bearer <access token>`: @nestjs/passport's
 * guard running this application's JwtStrategy.
 */
@Injectable()
export class AuthGuard extends PassportAuthGuard() {
  constructor(strategy: JwtStrategy) {
    super({ defaultStrategy: strategy.name, session: false });
  }

  /** Errors of the strategy (AppError `unauthorized` or `unavailable`) leave as they are. */
  override handleRequest<TUser = AuthenticatedUser>(error: unknown, user: TUser | false): TUser {
    return authenticatedOrThrow(error, user, 'not authenticated');
  }
}
