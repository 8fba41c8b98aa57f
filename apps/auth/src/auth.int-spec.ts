// The auth service against real PostgreSQL, Redis and Kafka, driven over HTTP. Every run has its
// own database, Redis key prefix and topic prefix (see testing/auth-test-app.ts).
import { randomUUID } from 'node:crypto';
import { type AuthSession, type ErrorBody, type TokenPair, UserRegisteredTopic } from '@chat/contracts';
import { JwtVerifier } from '@chat/auth-client';
import { BusAdmin, BusConsumers, type ConsumedRecord } from '@chat/kafka';
import { AppError } from '@chat/service-kit';
import { waitFor } from '@chat/testing';
import request, { type Response } from 'supertest';
import { AccessTokenSigner } from './tokens/access-token.signer';
import { dropNamespace, queryDatabase, type RunningAuth, startAuth, type TestNamespace, testNamespace } from './testing/auth-test-app';

jest.setTimeout(60_000);

const ENCRYPTION_SECRET = 'integration-test-secret-of-32-characters!';
const SETTINGS = {
  TRUST_PROXY: '1',
  AUTH_LOGIN_FREE_FAILURES: '3',
  AUTH_LOGIN_DELAY_BASE_SECONDS: '30',
  AUTH_LOGIN_LIMIT_PER_ADDRESS: '5',
  AUTH_REGISTER_LIMIT_PER_ADDRESS: '4',
  AUTH_KEY_ENCRYPTION_SECRET: ENCRYPTION_SECRET,
};

let addressCounter = 0;
/** A client address of its own for each caller (TRUST_PROXY=1 reads it from X-Forwarded-For), so per-address limits never mix tests. */
function newAddress(): string {
  addressCounter += 1;
  return `198.51.${Math.floor(addressCounter / 250)}.${(addressCounter % 250) + 1}`;
}

let nameCounter = 0;
function newUsername(): string {
  nameCounter += 1;
  return `user_${nameCounter}_${randomUUID().slice(0, 6)}`;
}

const PASSWORD = 'correct horse battery staple';

function errorOf(response: Response): ErrorBody['error'] {
  return (response.body as ErrorBody).error;
}

describe('auth service', () => {
  let namespace: TestNamespace;
  let auth: RunningAuth;
  const api = () => request(auth.url);

  async function register(username = newUsername(), address = newAddress()): Promise<AuthSession> {
    const response = await api().post('/auth/register').set('X-Forwarded-For', address).send({ username, password: PASSWORD });
    expect(response.status).toBe(201);
    return response.body as AuthSession;
  }

  beforeAll(async () => {
    namespace = testNamespace();
    auth = await startAuth(namespace, SETTINGS);
  });

  afterAll(async () => {
    await auth?.app.close();
    await dropNamespace(namespace);
  });

  it('is ready with PostgreSQL, Redis and Kafka up', async () => {
    const response = await api().get('/health/ready');
    // Status and body together, so a failure shows which engine is down.
    expect({ status: response.status, body: response.body as unknown }).toEqual({ status: 200, body: expect.objectContaining({ status: 'ok' }) as unknown });
    expect(Object.keys((response.body as { info: object }).info).sort()).toEqual(['kafka', 'postgres', 'redis']);
  });

  describe('register and me', () => {
    it('creates an account and returns a session whose access token opens /auth/me', async () => {
      const username = newUsername();
      const response = await api()
        .post('/auth/register')
        .set('X-Forwarded-For', newAddress())
        .send({ username, password: PASSWORD, displayName: 'Ada L.' })
        .expect(201);
      const session = response.body as AuthSession;
      expect(session.user).toEqual({ id: expect.any(String) as string, username, displayName: 'Ada L.', createdAt: expect.any(String) as string });
      expect(typeof session.accessToken).toBe('string');
      expect(Buffer.from(session.refreshToken, 'base64url')).toHaveLength(32);

      const me = await api().get('/auth/me').set('Authorization', `Bearer ${session.accessToken}`).expect(200);
      expect(me.body).toEqual({ user: session.user });
    });

    it('stores an argon2id hash, never the password', async () => {
      const { user } = await register();
      const [row] = await queryDatabase<{ password_hash: string }>(namespace.database, 'SELECT password_hash FROM users WHERE id = $1', [user.id]);
      expect(row?.password_hash).toMatch(/^\$argon2id\$v=19\$/);
      expect(row?.password_hash).toContain('m=32768');
      expect(row?.password_hash).toContain('t=3');
      expect(row?.password_hash).not.toContain(PASSWORD);
    });

    it('refuses a username taken in another case with 409 conflict', async () => {
      const username = newUsername();
      await register(username);
      const response = await api().post('/auth/register').set('X-Forwarded-For', newAddress()).send({ username: username.toUpperCase(), password: PASSWORD }).expect(409);
      expect(errorOf(response).code).toBe('conflict');
    });

    it.each([
      ['a missing password', { username: 'someone' }, 'password'],
      ['a missing username', { password: PASSWORD }, 'username'],
      ['a short password', { username: 'someone', password: 'short' }, 'password'],
      ['a username with bad characters', { username: 'bad name!', password: PASSWORD }, 'username'],
      ['a too short username', { username: 'ab', password: PASSWORD }, 'username'],
    ])('answers 400 invalid for %s, naming the field', async (_case, body, field) => {
      const response = await api().post('/auth/register').set('X-Forwarded-For', newAddress()).send(body).expect(400);
      expect(response.body).toEqual({ error: { code: 'invalid', message: expect.stringContaining(field) as string } });
    });

    it('answers 400 invalid for a body that is not JSON', async () => {
      const response = await api()
        .post('/auth/register')
        .set('X-Forwarded-For', newAddress())
        .set('Content-Type', 'application/json')
        .send('{"username": "x", ')
        .expect(400);
      expect(response.body).toEqual({ error: { code: 'invalid', message: expect.any(String) as string } });
    });

    it('answers 400 invalid for no body at all', async () => {
      const response = await api().post('/auth/register').set('X-Forwarded-For', newAddress()).expect(400);
      expect(errorOf(response).code).toBe('invalid');
    });

    it('answers 413 too_large for a body over 64 KiB', async () => {
      const response = await api()
        .post('/auth/register')
        .set('X-Forwarded-For', newAddress())
        .send({ username: 'big', password: PASSWORD, displayName: 'x'.repeat(70 * 1024) })
        .expect(413);
      expect(errorOf(response).code).toBe('too_large');
    });

    it('answers 401 for /auth/me without a token or with a bad one', async () => {
      expect(errorOf(await api().get('/auth/me').expect(401)).code).toBe('unauthorized');
      expect(errorOf(await api().get('/auth/me').set('Authorization', 'Bearer nonsense').expect(401)).code).toBe('unauthorized');
    });

    it('limits registrations per client address', async () => {
      const address = newAddress();
      for (let i = 0; i < 4; i++) await register(newUsername(), address);
      const response = await api().post('/auth/register').set('X-Forwarded-For', address).send({ username: newUsername(), password: PASSWORD }).expect(429);
      expect(errorOf(response).code).toBe('rate_limited');
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    });
  });

  describe('login', () => {
    it('signs in with the right password, in any case of the username', async () => {
      const username = newUsername();
      const { user } = await register(username);
      const response = await api().post('/auth/login').set('X-Forwarded-For', newAddress()).send({ username: username.toUpperCase(), password: PASSWORD }).expect(200);
      const session = response.body as AuthSession;
      expect(session.user).toEqual(user);
      await api().get('/auth/me').set('Authorization', `Bearer ${session.accessToken}`).expect(200);
    });

    it('answers 401 with one message for a wrong password and for an unknown user', async () => {
      const username = newUsername();
      await register(username);
      const address = newAddress();
      const wrong = await api().post('/auth/login').set('X-Forwarded-For', address).send({ username, password: 'not the password' }).expect(401);
      const unknown = await api().post('/auth/login').set('X-Forwarded-For', address).send({ username: newUsername(), password: PASSWORD }).expect(401);
      expect(errorOf(wrong)).toEqual({ code: 'unauthorized', message: 'wrong username or password' });
      expect(errorOf(unknown)).toEqual(errorOf(wrong));
    });

    it("delays a (username, address) pair after its failures, but an attacker's failures never lock the owner out", async () => {
      const username = newUsername();
      await register(username);
      const attacker = newAddress();
      for (let i = 0; i < 3; i++) {
        await api().post('/auth/login').set('X-Forwarded-For', attacker).send({ username, password: 'guess' }).expect(401);
      }
      // The attacker's pair now waits (even with the right password: it is not checked)...
      const limited = await api().post('/auth/login').set('X-Forwarded-For', attacker).send({ username, password: PASSWORD }).expect(429);
      expect(errorOf(limited).code).toBe('rate_limited');
      const retryAfter = Number(limited.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(30);
      // ...while the owner signs in from their own address, again and again (correct sign-ins never count).
      const owner = newAddress();
      for (let i = 0; i < 5; i++) await api().post('/auth/login').set('X-Forwarded-For', owner).send({ username, password: PASSWORD }).expect(200);
    });

    it('limits attempts per client address across usernames', async () => {
      const address = newAddress();
      for (let i = 0; i < 5; i++) {
        await api().post('/auth/login').set('X-Forwarded-For', address).send({ username: newUsername(), password: 'guess' }).expect(401);
      }
      const limited = await api().post('/auth/login').set('X-Forwarded-For', address).send({ username: newUsername(), password: 'guess' }).expect(429);
      expect(limited.headers['retry-after']).toBeDefined();
      // Another address is not affected, nor is one the client claims to the left of what the proxy wrote.
      await api().post('/auth/login').set('X-Forwarded-For', newAddress()).send({ username: newUsername(), password: 'guess' }).expect(401);
      await api().post('/auth/login').set('X-Forwarded-For', `${newAddress()}, ${address}`).send({ username: newUsername(), password: 'guess' }).expect(429);
    });
  });

  describe('refresh tokens', () => {
    const refresh = (refreshToken: string) => api().post('/auth/refresh').send({ refreshToken });

    it('rotates: a refresh returns a new pair, and the new refresh token works in turn', async () => {
      const session = await register();
      const first = (await refresh(session.refreshToken).expect(200)).body as TokenPair;
      expect(Object.keys(first).sort()).toEqual(['accessToken', 'refreshToken']);
      expect(first.refreshToken).not.toBe(session.refreshToken);
      await api().get('/auth/me').set('Authorization', `Bearer ${first.accessToken}`).expect(200);
      await refresh(first.refreshToken).expect(200);
    });

    it('treats a rotated token presented again as reuse: 401, and the newest token of the family fails too', async () => {
      const session = await register();
      const rotated = (await refresh(session.refreshToken).expect(200)).body as TokenPair;
      expect(errorOf(await refresh(session.refreshToken).expect(401)).code).toBe('unauthorized');
      await refresh(rotated.refreshToken).expect(401);
      // Another session of the same user is untouched.
      const other = (await api().post('/auth/login').set('X-Forwarded-For', newAddress()).send({ username: session.user.username, password: PASSWORD }).expect(200)).body as AuthSession;
      await refresh(other.refreshToken).expect(200);
    });

    it('lets only one of two concurrent refreshes of one token succeed', async () => {
      const session = await register();
      const results = await Promise.all([refresh(session.refreshToken), refresh(session.refreshToken)]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    });

    it('stores only SHA-256 hashes of refresh tokens', async () => {
      const session = await register();
      const rows = await queryDatabase<{ token_hash: Buffer }>(namespace.database, 'SELECT token_hash FROM refresh_tokens WHERE user_id = $1', [session.user.id]);
      expect(rows).toHaveLength(1);
      expect(rows[0]?.token_hash).toHaveLength(32);
      expect(rows[0]?.token_hash.toString('base64url')).not.toBe(session.refreshToken);
    });

    it('answers 401 for an unknown refresh token and 400 for a missing one', async () => {
      await refresh('never-issued').expect(401);
      expect(errorOf(await api().post('/auth/refresh').send({}).expect(400)).code).toBe('invalid');
    });

    it('logout revokes the family with 204, and is idempotent', async () => {
      const session = await register();
      const rotated = (await refresh(session.refreshToken).expect(200)).body as TokenPair;
      await api().post('/auth/logout').send({ refreshToken: session.refreshToken }).expect(204);
      await refresh(rotated.refreshToken).expect(401);
      await api().post('/auth/logout').send({ refreshToken: session.refreshToken }).expect(204);
      await api().post('/auth/logout').send({ refreshToken: 'never-issued' }).expect(204);
    });
  });

  describe('access tokens and keys', () => {
    it('serves the JWKS with Cache-Control, and tokens verify with @chat/auth-client', async () => {
      const response = await api().get('/auth/.well-known/jwks.json').expect(200);
      expect(response.headers['cache-control']).toBe('public, max-age=300');
      const { keys } = response.body as { keys: Record<string, unknown>[] };
      expect(keys).toHaveLength(1);
      expect(keys[0]).toEqual(expect.objectContaining({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig', kid: expect.any(String) as string }));
      expect(keys[0]).not.toHaveProperty('d');

      const session = await register();
      const verifier = new JwtVerifier({ jwksUrl: `${auth.url}/auth/.well-known/jwks.json` });
      const claims = await verifier.verify(session.accessToken);
      expect(claims).toEqual(expect.objectContaining({ sub: session.user.id, username: session.user.username }));
      expect(claims.exp - claims.iat).toBe(900);
      const header = JSON.parse(Buffer.from(session.accessToken.split('.')[0] ?? '', 'base64url').toString()) as Record<string, unknown>;
      expect(header).toEqual(expect.objectContaining({ alg: 'EdDSA', kid: keys[0]?.['kid'] }));
      const payload = JSON.parse(Buffer.from(session.accessToken.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
      expect(payload).toEqual(expect.objectContaining({ iss: 'chat-auth', aud: 'chat' }));
    });

    it('refuses an expired token at /auth/me and in JwtVerifier', async () => {
      const { user } = await register();
      const expired = await auth.app.get(AccessTokenSigner).sign(user, randomUUID(), new Date(Date.now() - 3_600_000));
      expect(errorOf(await api().get('/auth/me').set('Authorization', `Bearer ${expired}`).expect(401))).toEqual({ code: 'unauthorized', message: 'access token expired' });
      const verifier = new JwtVerifier({ jwksUrl: `${auth.url}/auth/.well-known/jwks.json` });
      await expect(verifier.verify(expired)).rejects.toEqual(new AppError('unauthorized', 'access token expired'));
    });

    it('stores the private signing key encrypted when AUTH_KEY_ENCRYPTION_SECRET is set', async () => {
      const rows = await queryDatabase<{ private_jwk: string; public_jwk: Record<string, unknown> }>(namespace.database, 'SELECT private_jwk, public_jwk FROM signing_keys');
      expect(rows).toHaveLength(1);
      expect(rows[0]?.private_jwk).toMatch(/^v1\./);
      expect(rows[0]?.public_jwk).not.toHaveProperty('d');
    });

    it('keeps its keys across a restart: a second instance on the same database serves the same kid and accepts the same tokens', async () => {
      const session = await register();
      const before = (await api().get('/auth/.well-known/jwks.json').expect(200)).body as { keys: { kid: string }[] };
      const second = await startAuth(namespace, SETTINGS, 'auth-second');
      try {
        const after = (await request(second.url).get('/auth/.well-known/jwks.json').expect(200)).body as { keys: { kid: string }[] };
        expect(after.keys.map((k) => k.kid)).toEqual(before.keys.map((k) => k.kid));
        await request(second.url).get('/auth/me').set('Authorization', `Bearer ${session.accessToken}`).expect(200);
        await request(second.url).post('/auth/refresh').send({ refreshToken: session.refreshToken }).expect(200);
      } finally {
        await second.app.close();
      }
    });
  });

  describe('events', () => {
    it('publishes chat.user.registered.v1 keyed by user id after a registration', async () => {
      await auth.app.get(BusAdmin).ensureTopics([UserRegisteredTopic]);
      const received: ConsumedRecord<typeof UserRegisteredTopic>[] = [];
      const handle = await auth.app.get(BusConsumers).consume({
        groupId: `auth-int-${randomUUID()}`,
        topics: [UserRegisteredTopic],
        fromBeginning: true,
        handler: (record) => {
          received.push(record);
          return Promise.resolve();
        },
      });
      try {
        await handle.ready;
        const { user } = await register();
        const record = await waitFor('the registration event', () => received.find((r) => r.key === user.id), 30_000);
        expect(record.topic).toBe(`${namespace.topicPrefix}chat.user.registered.v1`);
        expect(record.value).toEqual({ userId: user.id, username: user.username, displayName: user.displayName, registeredAt: user.createdAt });
        await waitFor('the outbox to be empty', async () => (await queryDatabase<{ n: string }>(namespace.database, 'SELECT count(*) AS n FROM outbox'))[0]?.n === '0');
      } finally {
        await handle.stop();
      }
    });
  });
});

describe('auth service, two instances starting together on a new database', () => {
  let namespace: TestNamespace;
  const running: RunningAuth[] = [];

  beforeAll(() => {
    namespace = testNamespace();
  });

  afterAll(async () => {
    await Promise.all(running.map((r) => r.app.close()));
    await dropNamespace(namespace);
  });

  it('ends with exactly one active signing key, served by both', async () => {
    running.push(...(await Promise.all([startAuth(namespace, {}, 'auth-a'), startAuth(namespace, {}, 'auth-b')])));
    const rows = await queryDatabase<{ kid: string; retired_at: Date | null }>(namespace.database, 'SELECT kid, retired_at FROM signing_keys');
    expect(rows).toHaveLength(1);
    expect(rows[0]?.retired_at).toBeNull();
    const served = await Promise.all(running.map(async (r) => ((await request(r.url).get('/auth/.well-known/jwks.json').expect(200)).body as { keys: { kid: string }[] }).keys.map((k) => k.kid)));
    expect(served).toEqual([[rows[0]?.kid], [rows[0]?.kid]]);
    // Stored as plain JSON without AUTH_KEY_ENCRYPTION_SECRET.
    const [stored] = await queryDatabase<{ private_jwk: string }>(namespace.database, 'SELECT private_jwk FROM signing_keys');
    expect(JSON.parse(stored?.private_jwk ?? '{}')).toEqual(expect.objectContaining({ kty: 'OKP', crv: 'Ed25519', d: expect.any(String) as string }));
  });
});
