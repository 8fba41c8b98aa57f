import { createLocalJWKSet, jwtVerify, SignJWT } from 'jose';
import { FakeClock, FakeTransactions, InMemoryKeys, SequenceRandom } from '../testing/fakes';
import { KeyCipher } from './key-cipher';
import { KeysService, NEXT_KEY_LEAD_MS, RETIRED_KEY_MARGIN_MS } from './keys.service';
import { SigningKeyFactory } from './signing-key.factory';

const DAY = 86_400_000;
const TTL_SECONDS = 900;

describe('KeysService', () => {
  let clock: FakeClock;
  let repository: InMemoryKeys;
  const started: KeysService[] = [];

  function start(secret?: string): KeysService {
    const service = new KeysService(
      repository,
      new SigningKeyFactory(),
      new KeyCipher({ AUTH_KEY_ENCRYPTION_SECRET: secret }, new SequenceRandom()),
      new FakeTransactions(),
      clock,
      { AUTH_KEY_ROTATION_DAYS: 30, AUTH_ACCESS_TOKEN_TTL_SECONDS: TTL_SECONDS },
    );
    started.push(service);
    return service;
  }

  async function sign(service: KeysService): Promise<string> {
    const { kid, privateKey } = service.signingKey();
    return new SignJWT({}).setProtectedHeader({ alg: 'EdDSA', kid }).setSubject('s').sign(privateKey);
  }

  beforeEach(() => {
    clock = new FakeClock();
    repository = new InMemoryKeys();
  });

  afterEach(() => started.splice(0).forEach((service) => service.onModuleDestroy()));

  it('creates one key on first start and publishes its public half only', async () => {
    const service = start();
    await service.onModuleInit();
    expect(repository.rows).toHaveLength(1);
    const { keys } = await service.jwks();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toEqual(expect.objectContaining({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig', kid: service.signingKey().kid }));
    expect(keys[0]).not.toHaveProperty('d');
  });

  it('reuses the stored key on the next start (keys survive restarts)', async () => {
    const first = start();
    await first.onModuleInit();
    const second = start();
    await second.onModuleInit();
    expect(repository.rows).toHaveLength(1);
    expect(second.signingKey().kid).toBe(first.signingKey().kid);
    // A token of the first process verifies with the second one's keys.
    await expect(jwtVerify(await sign(first), second.keyResolver)).resolves.toBeDefined();
  });

  it('rotates when the active key is older than AUTH_KEY_ROTATION_DAYS and keeps the old one published for the token lifetime', async () => {
    const service = start();
    await service.onModuleInit();
    const oldKid = service.signingKey().kid;
    const oldToken = await sign(service);
    clock.advance(29 * DAY);
    await service.refresh();
    expect(service.signingKey().kid).toBe(oldKid);
    expect((await service.jwks()).keys.map((k) => k.kid)).toEqual([oldKid]);
    clock.advance(DAY - NEXT_KEY_LEAD_MS);
    await service.refresh();
    expect(service.signingKey().kid).toBe(oldKid);
    clock.advance(NEXT_KEY_LEAD_MS);
    await service.refresh();
    const newKid = service.signingKey().kid;
    expect(newKid).not.toBe(oldKid);
    expect((await service.jwks()).keys.map((k) => k.kid)).toEqual([newKid, oldKid]);
    await expect(jwtVerify(oldToken, service.keyResolver)).resolves.toBeDefined();
    clock.advance(TTL_SECONDS * 1000 + RETIRED_KEY_MARGIN_MS + 1);
    await service.refresh();
    expect((await service.jwks()).keys.map((k) => k.kid)).toEqual([newKid]);
    await expect(jwtVerify(oldToken, service.keyResolver)).rejects.toThrow();
  });

  it('publishes the next key NEXT_KEY_LEAD_MS before it signs: a verifier holding the JWKS from before the rotation verifies the new tokens', async () => {
    const service = start();
    await service.onModuleInit();
    const oldKid = service.signingKey().kid;
    clock.advance(30 * DAY - NEXT_KEY_LEAD_MS);
    await service.refresh();
    // Still signing with the old key; the next one is already in the published set.
    expect(service.signingKey().kid).toBe(oldKid);
    const published = await service.jwks();
    expect(published.keys).toHaveLength(2);
    expect(published.keys.every((k) => k.d === undefined)).toBe(true);
    // A verifier fetches the set once, a minute later, and keeps it (its cache).
    clock.advance(60_000);
    const verifierCache = createLocalJWKSet(structuredClone(await service.jwks()));
    clock.advance(NEXT_KEY_LEAD_MS - 60_000);
    await service.refresh();
    expect(service.signingKey().kid).not.toBe(oldKid);
    await expect(jwtVerify(await sign(service), verifierCache)).resolves.toBeDefined();
  });

  it('rotates only after the next key was published for the lead, even when refreshed late', async () => {
    const service = start();
    await service.onModuleInit();
    const oldKid = service.signingKey().kid;
    // Nothing refreshed during the lead (all instances down): the next key is published first ...
    clock.advance(31 * DAY);
    await service.refresh();
    expect(service.signingKey().kid).toBe(oldKid);
    expect(repository.rows.map((k) => [k.retiredAt, k.activatedAt === null])).toEqual([
      [null, false],
      [null, true],
    ]);
    clock.advance(NEXT_KEY_LEAD_MS - 1);
    await service.refresh();
    expect(service.signingKey().kid).toBe(oldKid);
    // ... and signs once it has been published for the whole lead.
    clock.advance(1);
    await service.refresh();
    expect(service.signingKey().kid).toBe(repository.rows[1]?.kid);
    expect(repository.rows[0]?.retiredAt).not.toBeNull();
  });

  it('picks up a key another instance rotated to when a token names it', async () => {
    const a = start();
    const b = start();
    await a.onModuleInit();
    await b.onModuleInit();
    clock.advance(30 * DAY - NEXT_KEY_LEAD_MS);
    await a.refresh();
    clock.advance(NEXT_KEY_LEAD_MS);
    await a.refresh();
    clock.advance(10_000);
    await expect(jwtVerify(await sign(a), b.keyResolver)).resolves.toBeDefined();
    expect((await b.jwks()).keys.map((k) => k.kid)).toContain(a.signingKey().kid);
  });

  it('stores the private key encrypted when a secret is configured, and refuses to start with another secret', async () => {
    const service = start('x'.repeat(32));
    await service.onModuleInit();
    expect(repository.rows[0]?.privateJwk).toMatch(/^v1\./);
    await expect(start('y'.repeat(32)).onModuleInit()).rejects.toThrow(/AUTH_KEY_ENCRYPTION_SECRET/);
  });
});
