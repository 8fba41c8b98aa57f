import { createHash } from 'node:crypto';

/** What is stored of a refresh token: SHA-256 of its value (the value has 256 random bits, so no salt or slow hash is needed). */
export function hashRefreshToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
