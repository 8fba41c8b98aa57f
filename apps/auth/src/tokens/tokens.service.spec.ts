import { Logger } from '@nestjs/common';
import { JwtVerifier } from '@chat/auth-client';
import { KeyCipher } from '../keys/key-cipher';
import { KeysService } from '../keys/keys.service';
import { SigningKeyFactory } from '../keys/signing-key.factory';
import { FakeClock, FakeTransactions, InMemoryKeys, InMemoryRefreshTokens, SequenceRandom } from '../testing/fakes';
import { AccessTokenSigner } from './access-token.signer';
import { hashRefreshToken } from './token-hash';
import { INVALID_REFRESH_TOKEN, TokensService } from './tokens.service';
import { refusal } from '../testing/refusal';

const USER = { id: '6f1c1e0e-4a8b-4c1e-9f5a-1d2b3c4d5e6f', username: 'alice' };
const DAY = 86_400_000;
const CONFIG = {
  AUTH_REFRESH_TOKEN_TTL_DAYS: 30,
  AUTH_ACCESS_TOKEN_TTL_SECONDS: 900,
  AUTH_TOKEN_ISSUER: 'chat-auth',
  AUTH_TOKEN_AUDIENCE: 'chat',
  AUTH_KEY_ROTATION_DAYS: 30,
};

describe('TokensService', () => {
  // The warnings these cases provoke on purpose are not news.
  beforeAll(() => {
    Logger.overrideLogger(false);
  });
  afterAll(() => {
    Logger.overrideLogger(new Logger());
  });

  let clock: FakeClock;
  let store: InMemoryRefreshTokens;
  let transactions: FakeTransactions;
  let keys: KeysService;
  let tokens: TokensService;
  let verifier: JwtVerifier;

  beforeEach(async () => {
    clock = new FakeClock();
    store = new InMemoryRefreshTokens(() => USER.username);
    transactions = new FakeTransactions([store]);
    const random = new SequenceRandom();
    keys = new KeysService(new InMemoryKeys(), new SigningKeyFactory(), new KeyCipher({}, random), transactions, clock, CONFIG);
    await keys.onModuleInit();
    tokens = new TokensService(store, new AccessTokenSigner(keys, clock, CONFIG), transactions, clock, random, CONFIG);
    verifier = new JwtVerifier({ keyResolver: keys.keyResolver, now: () => clock.now() });
  });

  afterEach(() => keys.onModuleDestroy());

  const session = () => tokens.startSession(transactions.tx, USER);

  it('starts a session: an access token for the user and a 32-byte refresh token stored only as its hash', async () => {
    const pair = await session();
    const claims = await verifier.verify(pair.accessToken);
    expect(claims).toEqual(expect.objectContaining({ sub: USER.id, username: 'alice', exp: claims.iat + 900 }));
    expect(Buffer.from(pair.refreshToken, 'base64url')).toHaveLength(32);
    expect(store.tokens).toHaveLength(1);
    expect(store.tokens[0]?.hash.equals(hashRefreshToken(pair.refreshToken))).toBe(true);
    expect(JSON.stringify(store.tokens)).not.toContain(pair.refreshToken);
    expect(store.tokens[0]?.expiresAt.getTime()).toBe(clock.now().getTime() + 30 * DAY);
  });

  it('rotates: the new token joins the family, the old one is marked used', async () => {
    const first = await session();
    clock.advance(60_000);
    const second = await tokens.refresh(first.refreshToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    await expect(verifier.verify(second.accessToken)).resolves.toEqual(expect.objectContaining({ sub: USER.id, username: 'alice' }));
    expect(store.tokens).toHaveLength(2);
    expect(new Set(store.tokens.map((t) => t.familyId)).size).toBe(1);
    expect(store.tokens[0]?.usedAt).toEqual(clock.now());
    await expect(tokens.refresh(second.refreshToken)).resolves.toBeDefined();
  });

  it('treats a used token presented again as reuse: 401, and the whole family, newest token included, is revoked', async () => {
    const first = await session();
    const second = await tokens.refresh(first.refreshToken);
    const reuse = await refusal(tokens.refresh(first.refreshToken));
    expect(reuse.code).toBe('unauthorized');
    expect(reuse.message).toBe(INVALID_REFRESH_TOKEN);
    expect((await refusal(tokens.refresh(second.refreshToken))).code).toBe('unauthorized');
    expect(store.tokens.every((t) => t.revokedAt !== null)).toBe(true);
    // The revocation is committed even though the call failed.
    expect(transactions.rolledBack).toBe(0);
  });

  it('leaves other families of the same user alone', async () => {
    const phone = await session();
    const laptop = await session();
    await tokens.refresh(phone.refreshToken);
    await refusal(tokens.refresh(phone.refreshToken));
    await expect(tokens.refresh(laptop.refreshToken)).resolves.toBeDefined();
  });

  it('refuses unknown and expired tokens without revoking anything', async () => {
    const pair = await session();
    expect((await refusal(tokens.refresh('no-such-token'))).code).toBe('unauthorized');
    clock.advance(30 * DAY);
    expect((await refusal(tokens.refresh(pair.refreshToken))).code).toBe('unauthorized');
    expect(store.tokens[0]?.revokedAt).toBeNull();
    expect(store.tokens[0]?.usedAt).toBeNull();
  });

  it('logout revokes the family of the token; unknown tokens are ignored', async () => {
    const pair = await session();
    const next = await tokens.refresh(pair.refreshToken);
    await tokens.logout(pair.refreshToken);
    expect((await refusal(tokens.refresh(next.refreshToken))).code).toBe('unauthorized');
    await expect(tokens.logout(pair.refreshToken)).resolves.toBeUndefined();
    await expect(tokens.logout('never-issued')).resolves.toBeUndefined();
  });

  it('signs access tokens that expire after the configured lifetime', async () => {
    const pair = await session();
    clock.advance(900_000 + 6_000);
    expect((await refusal(verifier.verify(pair.accessToken))).message).toBe('access token expired');
  });
});
