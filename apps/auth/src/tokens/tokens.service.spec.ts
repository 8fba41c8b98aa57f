import { Logger } from '@nestjs/common';
import { JwtVerifier } from '@chat/auth-client';
import { KeyCipher } from '../keys/key-cipher';
import { KeysService } from '../keys/keys.service';
import { SigningKeyFactory } from '../keys/signing-key.factory';
import { SessionRevokedTopic } from '@chat/contracts';
import { type EventPublisher } from '../outbox/event-publisher';
import { OutboxRelay } from '../outbox/outbox-relay.service';
import { FakeClock, FakeTransactions, InMemoryKeys, InMemoryOutbox, InMemoryRefreshTokens, SequenceRandom } from '../testing/fakes';
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

class CountingRelay extends OutboxRelay {
  nudges = 0;

  constructor() {
    super(new InMemoryOutbox(), undefined as unknown as EventPublisher, new FakeTransactions());
  }

  override nudge(): void {
    this.nudges += 1;
  }
}

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
  let outbox: InMemoryOutbox;
  let relay: CountingRelay;

  beforeEach(async () => {
    clock = new FakeClock();
    store = new InMemoryRefreshTokens(() => USER.username);
    outbox = new InMemoryOutbox();
    relay = new CountingRelay();
    transactions = new FakeTransactions([store, outbox]);
    const random = new SequenceRandom();
    keys = new KeysService(new InMemoryKeys(), new SigningKeyFactory(), new KeyCipher({}, random), transactions, clock, CONFIG);
    await keys.onModuleInit();
    tokens = new TokensService(store, new AccessTokenSigner(keys, clock, CONFIG), transactions, clock, random, outbox, relay, CONFIG);
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

  const revocations = () => outbox.events.filter((e) => e.topic === SessionRevokedTopic.name).map((e) => e.payload);

  it('names the session (the family) in the access token as sid, across rotations', async () => {
    const pair = await session();
    const familyId = store.tokens[0]?.familyId;
    expect((await verifier.verify(pair.accessToken)).sid).toBe(familyId);
    const next = await tokens.refresh(pair.refreshToken);
    expect((await verifier.verify(next.accessToken)).sid).toBe(familyId);
  });

  it('announces a logout as session-revoked, once, in the transaction of the revocation', async () => {
    const pair = await session();
    await tokens.logout(pair.refreshToken);
    await tokens.logout(pair.refreshToken);
    expect(revocations()).toEqual([{ userId: USER.id, sessionIds: [store.tokens[0]?.familyId], reason: 'logout', revokedAt: clock.now().toISOString() }]);
    expect(relay.nudges).toBe(1);
  });

  it('announces a reuse as session-revoked', async () => {
    const pair = await session();
    await tokens.refresh(pair.refreshToken);
    await refusal(tokens.refresh(pair.refreshToken));
    expect(revocations()).toEqual([expect.objectContaining({ userId: USER.id, reason: 'token-reuse' })]);
  });

  it('signs out everywhere: every live family revoked and announced in one event; nothing when none is live', async () => {
    const phone = await session();
    const laptop = await session();
    await tokens.logout(phone.refreshToken);
    const ended = await tokens.revokeAllSessions(USER.id, 'sign-out-everywhere');
    expect(ended).toHaveLength(1);
    expect((await refusal(tokens.refresh(laptop.refreshToken))).code).toBe('unauthorized');
    expect(revocations()).toEqual([
      expect.objectContaining({ reason: 'logout' }),
      expect.objectContaining({ userId: USER.id, sessionIds: ended, reason: 'sign-out-everywhere' }),
    ]);
    await expect(tokens.revokeAllSessions(USER.id, 'sign-out-everywhere')).resolves.toEqual([]);
    expect(revocations()).toHaveLength(2);
  });

  it('signs access tokens that expire after the configured lifetime', async () => {
    const pair = await session();
    clock.advance(900_000 + 6_000);
    expect((await refusal(verifier.verify(pair.accessToken))).message).toBe('access token expired');
  });
});
