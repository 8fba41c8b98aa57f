// Signs access tokens: EdDSA JWTs naming their key (kid), with sub = user id, username, sid = the
// session (refresh-token family, so a revoked session's open sockets can be found), iss, aud, iat
// and exp. Verified by @chat/auth-client against the JWKS.
import { Inject, Injectable } from '@nestjs/common';
import { SignJWT } from 'jose';
import { ACCESS_TOKEN_ALGORITHM } from '@chat/auth-client';
import { APP_CONFIG } from '@chat/service-kit';
import { Clock } from '../common/clock';
import { type AuthConfig } from '../config';
import { KeysService } from '../keys/keys.service';

export interface TokenSubject {
  id: string;
  username: string;
}

type SignerConfig = Pick<AuthConfig, 'AUTH_ACCESS_TOKEN_TTL_SECONDS' | 'AUTH_TOKEN_ISSUER' | 'AUTH_TOKEN_AUDIENCE'>;

@Injectable()
export class AccessTokenSigner {
  constructor(
    private readonly keys: KeysService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: SignerConfig,
  ) {}

  /** A token of session `sessionId` valid from `issuedAt` (default now) for the configured lifetime. */
  sign(subject: TokenSubject, sessionId: string, issuedAt: Date = this.clock.now()): Promise<string> {
    const { kid, privateKey } = this.keys.signingKey();
    const iat = Math.floor(issuedAt.getTime() / 1000);
    return new SignJWT({ username: subject.username, sid: sessionId })
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, kid, typ: 'JWT' })
      .setSubject(subject.id)
      .setIssuer(this.config.AUTH_TOKEN_ISSUER)
      .setAudience(this.config.AUTH_TOKEN_AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.config.AUTH_ACCESS_TOKEN_TTL_SECONDS)
      .sign(privateKey);
  }
}
