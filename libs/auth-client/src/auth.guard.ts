import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { AppError } from '@chat/service-kit';
import { type IncomingHttpHeaders } from 'node:http';
import { type AccessClaims } from '@chat/contracts';
import { type AuthenticatedUser, bearerToken } from './access-token';
import { JwtVerifier } from './jwt-verifier';

/** What the guard leaves on an authenticated HTTP request. */
export interface AuthenticatedRequest {
  headers: IncomingHttpHeaders;
  user?: AuthenticatedUser;
  accessClaims?: AccessClaims;
}

/** Lets a request through only with a valid `Authorization: Bearer <access token>`. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(private readonly verifier: JwtVerifier) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerToken(request.headers.authorization);
    if (!token) throw new AppError('unauthorized', 'missing bearer token');
    const claims = await this.verifier.verify(token);
    request.accessClaims = claims;
    request.user = { id: claims.sub, username: claims.username };
    return true;
  }
}
