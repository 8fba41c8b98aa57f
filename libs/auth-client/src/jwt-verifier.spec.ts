import { AppError } from '@chat/service-kit';
import { importJWK, SignJWT } from 'jose';
import { freePort } from '@chat/testing';
import { JwtVerifier } from './jwt-verifier';
import { JwksServer, signToken, TEST_USER_ID, testKey, type TestKey } from './test-keys';

async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected the verification to fail');
}

describe('JwtVerifier against a JWKS over HTTP', () => {
  let server: JwksServer;
  let key: TestKey;

  beforeAll(async () => {
    key = await testKey('key-1');
  });

  beforeEach(async () => {
    server = await new JwksServer().start();
    server.keys = [key.publicJwk];
  });

  afterEach(() => server.stop());

  const verifier = (options: Partial<ConstructorParameters<typeof JwtVerifier>[0]> = {}): JwtVerifier =>
    new JwtVerifier({ jwksUrl: server.url, ...options });

  it('returns the typed claims of a valid token', async () => {
    const claims = await verifier().verify(await signToken(key, { username: 'alice' }));
    expect(claims).toEqual(expect.objectContaining({ sub: TEST_USER_ID, username: 'alice' }));
    expect(typeof claims.exp).toBe('number');
  });

  it('fetches the key set once for many verifications', async () => {
    const v = verifier();
    for (let i = 0; i < 5; i++) await v.verify(await signToken(key));
    expect(server.fetches).toBe(1);
  });

  it('refuses an expired token beyond the clock tolerance, and accepts one within it', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await failure(verifier().verify(await signToken(key, { iat: now - 1000, exp: now - 60 })));
    expect(expired.code).toBe('unauthorized');
    expect(expired.message).toBe('access token expired');
    await expect(verifier().verify(await signToken(key, { iat: now - 1000, exp: now - 2 }))).resolves.toBeDefined();
  });

  it('uses the injected clock', async () => {
    const token = await signToken(key, { iat: 1_000_000, exp: 1_000_900 });
    await expect(verifier({ now: () => new Date(1_000_100_000) }).verify(token)).resolves.toBeDefined();
    expect((await failure(verifier({ now: () => new Date(1_001_000_000) }).verify(token))).code).toBe('unauthorized');
  });

  it.each([
    ['another issuer', { issuer: 'someone-else' }],
    ['another audience', { audience: 'other' }],
  ])('refuses a token of %s', async (_name, options) => {
    expect((await failure(verifier().verify(await signToken(key, options)))).code).toBe('unauthorized');
  });

  it('refuses a token signed by a key the JWKS does not publish, even under a published kid', async () => {
    const impostor = await testKey('key-1');
    expect((await failure(verifier().verify(await signToken(impostor)))).code).toBe('unauthorized');
    const stranger = await testKey('unknown');
    expect((await failure(verifier({ jwksCooldownMs: 0 }).verify(await signToken(stranger)))).code).toBe('unauthorized');
  });

  it('refuses tokens of other algorithms, garbage and claims that do not match the contract', async () => {
    const hs256 = await new SignJWT({ username: 'alice' })
      .setProtectedHeader({ alg: 'HS256', kid: 'key-1' })
      .setSubject(TEST_USER_ID)
      .setIssuer('chat-auth')
      .setAudience('chat')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('a-shared-secret-of-enough-length!!'));
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${Buffer.from(JSON.stringify({ sub: TEST_USER_ID })).toString('base64url')}.`;
    const notUuid = await signToken(key, { sub: 'not-a-uuid' });
    const noUsername = await signToken(key, { extra: { username: undefined } });
    for (const token of [hs256, unsigned, notUuid, noUsername, 'garbage', '', 'a'.repeat(5000)]) {
      expect((await failure(verifier().verify(token))).code).toBe('unauthorized');
    }
  });

  it('refetches the key set when a token names a new key (rotation)', async () => {
    const v = verifier({ jwksCooldownMs: 0 });
    await v.verify(await signToken(key));
    const next = await testKey('key-2');
    server.keys = [next.publicJwk, key.publicJwk];
    await expect(v.verify(await signToken(next))).resolves.toBeDefined();
    expect(server.fetches).toBe(2);
  });

  it('answers unavailable when the JWKS cannot be fetched and no key is cached', async () => {
    const token = await signToken(key);
    server.status = 500;
    expect((await failure(verifier().verify(token))).code).toBe('unavailable');
    await server.stop();
    const error = await failure(verifier().verify(token));
    expect(error.code).toBe('unavailable');
    expect(error.status).toBe(503);
  });

  it('keeps verifying with the last fetched keys while auth is down, and recovers when it is back', async () => {
    const port = await freePort();
    await server.stop();
    server = await new JwksServer().start(port);
    server.keys = [key.publicJwk];
    // A zero cache age makes every verification try to refetch first.
    const v = verifier({ jwksCacheMaxAgeMs: 0, jwksCooldownMs: 0 });
    await v.verify(await signToken(key));
    await server.stop();
    await expect(v.verify(await signToken(key, { username: 'still-works' }))).resolves.toEqual(expect.objectContaining({ username: 'still-works' }));
    server = await new JwksServer().start(port);
    server.keys = [key.publicJwk];
    await v.verify(await signToken(key));
    expect(server.fetches).toBe(1);
  });

  it('verifies with a local key resolver instead of a URL', async () => {
    const local = new JwtVerifier({ keyResolver: () => importJWK(key.publicJwk, 'EdDSA') });
    await expect(local.verify(await signToken(key))).resolves.toEqual(expect.objectContaining({ sub: TEST_USER_ID }));
  });
});
