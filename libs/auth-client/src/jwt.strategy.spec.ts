import { type AccessClaims } from '@chat/contracts';
import { AppError } from '@chat/service-kit';
import { importJWK } from 'jose';
import { JwtStrategy } from './jwt.strategy';
import { JwtVerifier } from './jwt-verifier';
import { signToken, TEST_USER_ID, testKey, type TestKey } from './test-keys';

const SESSION = '5d6e7f80-1a2b-4c3d-8e9f-0a1b2c3d4e5f';

async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected the authentication to fail');
}

/** A strategy over a verifier that knows only `key` (no HTTP). */
const strategyFor = (key: TestKey): JwtStrategy => new JwtStrategy(new JwtVerifier({ keyResolver: () => importJWK(key.publicJwk, 'EdDSA') }));

describe('JwtStrategy', () => {
  let key: TestKey;
  const strategies: JwtStrategy[] = [];
  const strategy = (k: TestKey = key): JwtStrategy => {
    const made = strategyFor(k);
    strategies.push(made);
    return made;
  };

  beforeAll(async () => {
    key = await testKey('k1');
  });

  afterEach(() => {
    for (const s of strategies.splice(0)) s.onModuleDestroy();
  });

  describe('validate (the verify step of REST guards)', () => {
    it('returns the caller and the claims of a valid bearer token', async () => {
      const token = await signToken(key, { username: 'ada', extra: { sid: SESSION } });
      const [user, claims] = await strategy().validate({ headers: { authorization: `Bearer ${token}` } });
      expect(user).toEqual({ id: TEST_USER_ID, username: 'ada' });
      expect(claims).toEqual(expect.objectContaining({ sub: TEST_USER_ID, username: 'ada', sid: SESSION }));
    });

    it.each([
      ['no header', {}],
      ['another scheme', { authorization: 'Basic dXNlcjpwYXNz' }],
    ])('refuses %s as unauthorized', async (_name, headers) => {
      const error = await failure(strategy().validate({ headers }));
      expect(error.code).toBe('unauthorized');
      expect(error.message).toBe('missing bearer token');
    });

    it("passes the verifier's answer on: expired, and unavailable keys", async () => {
      const now = Math.floor(Date.now() / 1000);
      const expired = await signToken(key, { iat: now - 3600, exp: now - 600 });
      expect(await failure(strategy().validate({ headers: { authorization: `Bearer ${expired}` } }))).toEqual(new AppError('unauthorized', 'access token expired'));
      const keyless = new JwtStrategy(new JwtVerifier({ keyResolver: () => Promise.reject(new AppError('unavailable', 'no keys')) }));
      strategies.push(keyless);
      expect((await failure(keyless.validate({ headers: { authorization: `Bearer ${expired}` } }))).code).toBe('unavailable');
    });
  });

  describe('authenticateToken (through Passport, as the socket handshake does)', () => {
    it('gives the caller and the claims of a valid token', async () => {
      const token = await signToken(key, { username: 'ada', extra: { sid: SESSION } });
      const { user, claims } = await strategy().authenticateToken(token);
      expect(user).toEqual({ id: TEST_USER_ID, username: 'ada' });
      expect(claims).toEqual(expect.objectContaining<Partial<AccessClaims>>({ sub: TEST_USER_ID, sid: SESSION }));
    });

    it('refuses a token of another key, an expired token and garbage as unauthorized', async () => {
      const now = Math.floor(Date.now() / 1000);
      const tokens = [await signToken(await testKey('k1')), await signToken(key, { iat: now - 3600, exp: now - 600 }), 'garbage', 'a b'];
      for (const token of tokens) expect((await failure(strategy().authenticateToken(token))).code).toBe('unauthorized');
    });

    it('refuses as unavailable when the keys cannot be had', async () => {
      const keyless = new JwtStrategy(new JwtVerifier({ jwksUrl: 'http://127.0.0.1:9/jwks.json', jwksTimeoutMs: 500 }));
      strategies.push(keyless);
      expect((await failure(keyless.authenticateToken(await signToken(key)))).code).toBe('unavailable');
    });
  });

  describe('registration with Passport', () => {
    it('registers every instance under its own name, so two applications in a process keep their own keys', async () => {
      const other = await testKey('k2');
      const mine = strategy(key);
      const theirs = strategy(other);
      expect(mine.name).not.toBe(theirs.name);
      await expect(mine.authenticateToken(await signToken(key))).resolves.toBeDefined();
      expect((await failure(mine.authenticateToken(await signToken(other)))).code).toBe('unauthorized');
      await expect(theirs.authenticateToken(await signToken(other))).resolves.toBeDefined();
      expect((await failure(theirs.authenticateToken(await signToken(key)))).code).toBe('unauthorized');
    });

    it('leaves the registry when its application closes', async () => {
      const s = strategy();
      const token = await signToken(key);
      await expect(s.authenticateToken(token)).resolves.toBeDefined();
      s.onModuleDestroy();
      await expect(s.authenticateToken(token)).rejects.toThrow(`Unknown authentication strategy "${s.name}"`);
    });
  });
});
