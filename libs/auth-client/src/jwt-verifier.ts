// Verifies access tokens locally against the auth service's published keys (JWKS), so services
// never call auth per request. Keys are fetched on first use, cached, refetched when a token names
// an unknown key (rotation) and kept when auth is unreachable: a verifier that has seen the keys
// once keeps verifying while auth is down; one that never has answers `unavailable`.
import { AccessClaimsSchema, type AccessClaims } from '@chat/contracts';
import { AppError } from '@chat/service-kit';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  type JSONWebKeySet,
  jwtVerify,
  type JWTVerifyGetKey,
  type JWTPayload,
} from 'jose';
import { ACCESS_TOKEN_ALGORITHM, ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER, ACCESS_TOKEN_MAX_LENGTH } from './access-token';

interface CommonOptions {
  issuer?: string;
  audience?: string;
  /** Seconds of clock difference tolerated on `exp`/`iat`. Default 5. */
  clockToleranceSeconds?: number;
  /** The verifier's clock; tests pass a fixed one. */
  now?: () => Date;
}

export interface RemoteKeysOptions extends CommonOptions {
  /** e.g. http://auth:3001/auth/.well-known/jwks.json */
  jwksUrl: string;
  /** Least time between two fetches caused by unknown key ids or failures. Default 30 s. */
  jwksCooldownMs?: number;
  /** Age after which the cached key set is refetched before use. Default 10 min. */
  jwksCacheMaxAgeMs?: number;
  /** How long one fetch may take. Default 3 s. */
  jwksTimeoutMs?: number;
}

export interface LocalKeysOptions extends CommonOptions {
  /** A key resolver of the process itself (the auth service verifies with its own key store). */
  keyResolver: JWTVerifyGetKey;
}

export type JwtVerifierOptions = RemoteKeysOptions | LocalKeysOptions;

/** Raised inside key resolution when the key set cannot be had at all. */
class KeySetUnavailable extends Error {}

/** Errors of key selection that mean "this token is bad", as opposed to "the key set could not be fetched". */
function isTokenKeyError(error: unknown): boolean {
  return (
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys ||
    error instanceof errors.JOSENotSupported ||
    error instanceof errors.JOSEAlgNotAllowed
  );
}

type RemoteJwks = ReturnType<typeof createRemoteJWKSet>;

/** createRemoteJWKSet plus a last-known-good fallback: jose alone fails every verification once its cache is stale and the refetch fails. */
function resilientRemoteKeys(options: RemoteKeysOptions): JWTVerifyGetKey {
  const cooldownMs = options.jwksCooldownMs ?? 30_000;
  const remote: RemoteJwks = createRemoteJWKSet(new URL(options.jwksUrl), {
    cooldownDuration: cooldownMs,
    cacheMaxAge: options.jwksCacheMaxAgeMs ?? 600_000,
    timeoutDuration: options.jwksTimeoutMs ?? 3_000,
  });
  let lastFailureAt = Number.NEGATIVE_INFINITY;
  let fallback: { jwks: JSONWebKeySet; resolve: ReturnType<typeof createLocalJWKSet> } | undefined;

  const lastKnown = (): ReturnType<typeof createLocalJWKSet> | undefined => {
    const jwks = remote.jwks();
    if (!jwks) return undefined;
    if (fallback?.jwks !== jwks) fallback = { jwks, resolve: createLocalJWKSet(jwks) };
    return fallback.resolve;
  };

  return async (header, token) => {
    const known = lastKnown();
    // While auth was just found unreachable, do not wait on it again for every request.
    if (known && Date.now() - lastFailureAt < cooldownMs) return known(header, token);
    try {
      return await remote(header, token);
    } catch (error) {
      if (isTokenKeyError(error)) throw error;
      lastFailureAt = Date.now();
      const stale = lastKnown();
      if (stale) return stale(header, token);
      throw new KeySetUnavailable(error instanceof Error ? error.message : String(error));
    }
  };
}

export class JwtVerifier {
  private readonly keys: JWTVerifyGetKey;
  private readonly issuer: string;
  private readonly audience: string;
  private readonly clockTolerance: number;
  private readonly now: (() => Date) | undefined;

  constructor(options: JwtVerifierOptions) {
    this.keys = 'keyResolver' in options ? options.keyResolver : resilientRemoteKeys(options);
    this.issuer = options.issuer ?? ACCESS_TOKEN_ISSUER;
    this.audience = options.audience ?? ACCESS_TOKEN_AUDIENCE;
    this.clockTolerance = options.clockToleranceSeconds ?? 5;
    this.now = options.now;
  }

  /** The claims of a valid token; AppError `unauthorized` for any bad token, `unavailable` when no keys can be had. */
  async verify(token: string): Promise<AccessClaims> {
    if (!token || token.length > ACCESS_TOKEN_MAX_LENGTH) throw new AppError('unauthorized', 'invalid access token');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        algorithms: [ACCESS_TOKEN_ALGORITHM],
        issuer: this.issuer,
        audience: this.audience,
        clockTolerance: this.clockTolerance,
        requiredClaims: ['sub', 'exp', 'iat'],
        ...(this.now ? { currentDate: this.now() } : {}),
      }));
    } catch (error) {
      if (error instanceof AppError) throw error;
      if (error instanceof KeySetUnavailable) throw new AppError('unavailable', 'token keys cannot be fetched from auth; try again');
      if (error instanceof errors.JWTExpired) throw new AppError('unauthorized', 'access token expired');
      throw new AppError('unauthorized', 'invalid access token');
    }
    const claims = AccessClaimsSchema.safeParse(payload);
    if (!claims.success) throw new AppError('unauthorized', 'invalid access token claims');
    return claims.data;
  }
}
