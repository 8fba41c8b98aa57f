// The Passport strategy of access tokens: the bearer token of a request, verified locally by
// JwtVerifier (jose, the auth service's JWKS). Every REST guard (AuthGuard) runs it through
// @nestjs/passport, and the gateway's Socket.IO handshake runs it through Passport with the
// handshake's `auth.token` as the bearer credential (`authenticateToken`). passport-jwt is not an
// option: it verifies with jsonwebtoken, which has no EdDSA, the only algorithm our tokens use.
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { type AccessClaims } from '@chat/contracts';
import { AppError } from '@chat/service-kit';
import { type IncomingHttpHeaders } from 'node:http';
import passport from 'passport';
import { Strategy as CustomStrategy } from 'passport-custom';
import { type AuthenticatedUser, bearerToken } from './access-token';
import { JwtVerifier } from './jwt-verifier';
import { asError, perInstanceNamed, unregisterStrategy } from './passport-strategy';

/** What the strategy reads of a request. */
export interface BearerRequest {
  headers: IncomingHttpHeaders;
}

/** A verified access token: the caller as handlers see it, and all its claims. */
export interface AuthenticatedToken {
  user: AuthenticatedUser;
  claims: AccessClaims;
}

@Injectable()
export class JwtStrategy extends PassportStrategy(perInstanceNamed(CustomStrategy, 'jwt')) implements OnModuleDestroy {
  constructor(private readonly verifier: JwtVerifier) {
    super();
  }

  /**
   * Passport's verify step. The user becomes `request.user` (what @CurrentUser() returns), the
   * claims `request.authInfo`. Throws AppError `unauthorized` for a missing or bad token and
   * `unavailable` when no keys can be had; Passport hands the error to the guard unchanged.
   */
  async validate(request: BearerRequest): Promise<[AuthenticatedUser, AccessClaims]> {
    const token = bearerToken(request.headers.authorization);
    if (!token) throw new AppError('unauthorized', 'missing bearer token');
    const claims = await this.verifier.verify(token);
    return [{ id: claims.sub, username: claims.username }, claims];
  }

  /** Runs this strategy through Passport on a bare token (the Socket.IO handshake's `auth.token`). */
  authenticateToken(token: string): Promise<AuthenticatedToken> {
    const request: BearerRequest = { headers: { authorization: `Bearer ${token}` } };
    return new Promise((resolve, reject) => {
      const authenticate = passport.authenticate(this.name, { session: false }, (error: unknown, user: AuthenticatedUser | false | undefined, claims: AccessClaims | undefined) => {
        if (error) reject(asError(error));
        else if (!user || !claims) reject(new AppError('unauthorized', 'invalid access token'));
        else resolve({ user, claims });
      }) as (request: BearerRequest, response: object, next: (error?: unknown) => void) => void;
      authenticate(request, {}, (error) => reject(asError(error)));
    });
  }

  onModuleDestroy(): void {
    unregisterStrategy(this.name);
  }
}
