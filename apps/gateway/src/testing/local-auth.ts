// Test stand-in for the auth service's token side: an Ed25519 key pair, its JWKS served over
// HTTP on a free local port (what the gateway's JwtVerifier fetches), and tokens signed with it
// exactly as auth signs them (issuer, audience, EdDSA).
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { ACCESS_TOKEN_ALGORITHM, ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from '@chat/auth-client';
import { exportJWK, generateKeyPair, type JWK, type KeyLike, SignJWT } from 'jose';

export const JWKS_PATH = '/auth/.well-known/jwks.json';

interface KeyPair {
  kid: string;
  privateKey: KeyLike;
  jwk: JWK;
}

async function newKey(): Promise<KeyPair> {
  const { publicKey, privateKey } = await generateKeyPair(ACCESS_TOKEN_ALGORITHM, { crv: 'Ed25519' });
  const kid = randomUUID();
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: ACCESS_TOKEN_ALGORITHM, use: 'sig' } };
}

export interface TokenOptions {
  /** Seconds from now; negative for an expired token. Default 600. */
  expiresIn?: number;
}

export class LocalAuth {
  private constructor(
    private readonly server: Server,
    private readonly key: KeyPair,
    /** A key nobody published: tokens signed with it must be refused. */
    private readonly foreignKey: KeyPair,
  ) {}

  static async start(): Promise<LocalAuth> {
    const key = await newKey();
    const server = createServer((req, res) => {
      if (req.url !== JWKS_PATH) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [key.jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new LocalAuth(server, key, await newKey());
  }

  get jwksUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${JWKS_PATH}`;
  }

  token(userId: string, username: string, options: TokenOptions = {}): Promise<string> {
    return this.sign(this.key, userId, username, options.expiresIn ?? 600);
  }

  foreignToken(userId: string, username: string): Promise<string> {
    return this.sign(this.foreignKey, userId, username, 600);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private sign(key: KeyPair, userId: string, username: string, expiresIn: number): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ username })
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, kid: key.kid })
      .setSubject(userId)
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setIssuedAt(expiresIn < 0 ? now + expiresIn - 600 : now)
      .setExpirationTime(now + expiresIn)
      .sign(key.privateKey);
  }
}
