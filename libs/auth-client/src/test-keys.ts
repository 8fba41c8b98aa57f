// Spec helpers (not exported by the library): an Ed25519 key pair and a JWKS served over real HTTP
// on 127.0.0.1, the way the auth service serves it.
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, type KeyLike, SignJWT } from 'jose';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from './access-token';

export interface TestKey {
  kid: string;
  privateKey: KeyLike;
  publicJwk: JWK;
}

export async function testKey(kid: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' } };
}

export interface TokenOptions {
  sub?: string;
  username?: string;
  issuer?: string;
  audience?: string;
  /** Seconds since the epoch. */
  iat?: number;
  exp?: number;
  extra?: Record<string, unknown>;
}

export const TEST_USER_ID = '6f1c1e0e-4a8b-4c1e-9f5a-1d2b3c4d5e6f';

export function signToken(key: TestKey, options: TokenOptions = {}): Promise<string> {
  const iat = options.iat ?? Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = { ...(options.extra ?? {}) };
  if (options.username !== undefined || !('username' in claims)) claims.username = options.username ?? 'alice';
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'JWT' })
    .setSubject(options.sub ?? TEST_USER_ID)
    .setIssuer(options.issuer ?? ACCESS_TOKEN_ISSUER)
    .setAudience(options.audience ?? ACCESS_TOKEN_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(options.exp ?? iat + 900)
    .sign(key.privateKey);
}

/** A JWKS endpoint whose keys and status the spec changes at will; counts its fetches. */
export class JwksServer {
  keys: JWK[] = [];
  status = 200;
  fetches = 0;
  private server: Server | undefined;
  private port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/auth/.well-known/jwks.json`;
  }

  async start(port = 0): Promise<this> {
    this.server = createServer((_req, res) => {
      this.fetches += 1;
      res.writeHead(this.status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(this.status === 200 ? { keys: this.keys } : { error: 'down' }));
    });
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
