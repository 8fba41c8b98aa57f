// What an access token looks like on the wire: the auth service signs with these values and every
// verifier checks them, so both import them from here.
export const ACCESS_TOKEN_ISSUER = 'chat-auth';
export const ACCESS_TOKEN_AUDIENCE = 'chat';
/** Ed25519 signatures (RFC 8037); the only algorithm verifiers accept. */
export const ACCESS_TOKEN_ALGORITHM = 'EdDSA';

/** The caller of an authenticated request, as handlers see it. */
export interface AuthenticatedUser {
  id: string;
  username: string;
}

/** Longest token a verifier looks at; anything longer is refused without parsing. */
export const ACCESS_TOKEN_MAX_LENGTH = 4096;

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer[ ]+([^ ]+)[ ]*$/i.exec(header);
  return match?.[1];
}
