// Fakes of auth's I/O adapters for unit specs: a settable clock, predictable randomness,
// transactions that just run their work, and in-memory repositories that behave like the SQL ones
// (unique usernames ignoring case, one active key, token families).
import { type Pool } from 'pg';
import type Redis from 'ioredis';
import { type TopicDefinition, type TopicValue } from '@chat/contracts';
import { type Account } from '../accounts/account';
import { AccountsRepository } from '../accounts/accounts.repository';
import { PasswordHasher } from '../accounts/password-hasher';
import { Clock } from '../common/clock';
import { type Queryable, Transactions } from '../common/database';
import { RandomSource } from '../common/random';
import { KeysRepository, type PublishedKey, type StoredSigningKey } from '../keys/keys.repository';
import { type OutboxEvent, OutboxRepository } from '../outbox/outbox.repository';
import { RateLimitRepository } from '../rate-limit/rate-limit.repository';
import { type NewRefreshToken, type RefreshTokenRecord, RefreshTokensRepository } from '../tokens/refresh-tokens.repository';

const NO_POOL = undefined as unknown as Pool;

export class FakeClock extends Clock {
  constructor(private current = new Date('2030-01-01T00:00:00.000Z')) {
    super();
  }

  override now(): Date {
    return new Date(this.current.getTime());
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** uuid n is 00000000-0000-4000-8000-<n in 12 hex digits>; bytes are filled with the counter. */
export class SequenceRandom extends RandomSource {
  private counter = 0;

  override bytes(length: number): Buffer {
    this.counter += 1;
    const buffer = Buffer.alloc(length);
    buffer.writeUInt32BE(this.counter, 0);
    return buffer;
  }

  override uuid(): string {
    this.counter += 1;
    return `00000000-0000-4000-8000-${this.counter.toString(16).padStart(12, '0')}`;
  }
}

/** Runs the work at once; a failing work "rolls back" the in-memory stores that support it. */
export class FakeTransactions extends Transactions {
  readonly tx: Queryable = { query: () => Promise.reject(new Error('fake transaction: nothing may query')) };
  committed = 0;
  rolledBack = 0;

  constructor(private readonly stores: readonly { snapshot(): () => void }[] = []) {
    super(NO_POOL);
  }

  override async run<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const restores = this.stores.map((store) => store.snapshot());
    try {
      const result = await work(this.tx);
      this.committed += 1;
      return result;
    } catch (error) {
      restores.forEach((restore) => restore());
      this.rolledBack += 1;
      throw error;
    }
  }
}

/** "hash:<password>": fast and recognisable. */
export class FakeHasher extends PasswordHasher {
  verifications = 0;
  hashes = 0;
  outdated = new Set<string>();

  constructor() {
    super({ AUTH_ARGON2_MEMORY_KIB: 8192, AUTH_ARGON2_TIME_COST: 1 });
  }

  override hash(password: string): Promise<string> {
    this.hashes += 1;
    return Promise.resolve(`hash:${password}`);
  }

  override verify(hash: string, password: string): Promise<boolean> {
    this.verifications += 1;
    return Promise.resolve(hash === `hash:${password}`);
  }

  override needsRehash(hash: string): boolean {
    return this.outdated.has(hash);
  }
}

export class InMemoryAccounts extends AccountsRepository {
  readonly rows = new Map<string, Account>();

  constructor() {
    super(NO_POOL);
  }

  snapshot(): () => void {
    const copy = new Map(this.rows);
    return () => {
      this.rows.clear();
      copy.forEach((v, k) => this.rows.set(k, v));
    };
  }

  override insert(_tx: Queryable, account: Account): Promise<boolean> {
    const taken = [...this.rows.values()].some((a) => a.username.toLowerCase() === account.username.toLowerCase());
    if (!taken) this.rows.set(account.id, { ...account });
    return Promise.resolve(!taken);
  }

  override findByUsername(username: string): Promise<Account | undefined> {
    return Promise.resolve([...this.rows.values()].find((a) => a.username.toLowerCase() === username.toLowerCase()));
  }

  override findById(id: string): Promise<Account | undefined> {
    return Promise.resolve(this.rows.get(id));
  }

  override updatePasswordHash(id: string, passwordHash: string, _tx?: Queryable): Promise<void> {
    const account = this.rows.get(id);
    if (account) this.rows.set(id, { ...account, passwordHash });
    return Promise.resolve();
  }
}

interface TokenRow extends NewRefreshToken {
  usedAt: Date | null;
  revokedAt: Date | null;
}

export class InMemoryRefreshTokens extends RefreshTokensRepository {
  readonly families = new Map<string, { id: string; userId: string; createdAt: Date; revokedAt: Date | null }>();
  readonly tokens: TokenRow[] = [];

  constructor(private readonly usernames: (userId: string) => string = () => 'someone') {
    super(NO_POOL);
  }

  snapshot(): () => void {
    const families = new Map([...this.families].map(([k, v]) => [k, { ...v }]));
    const tokens = this.tokens.map((t) => ({ ...t }));
    return () => {
      this.families.clear();
      families.forEach((v, k) => this.families.set(k, v));
      this.tokens.splice(0, this.tokens.length, ...tokens);
    };
  }

  override insertFamily(_tx: Queryable, family: { id: string; userId: string; createdAt: Date }): Promise<void> {
    this.families.set(family.id, { ...family, revokedAt: null });
    return Promise.resolve();
  }

  override insertToken(_tx: Queryable, token: NewRefreshToken): Promise<void> {
    this.tokens.push({ ...token, usedAt: null, revokedAt: null });
    return Promise.resolve();
  }

  override lockToken(_tx: Queryable, hash: Buffer): Promise<RefreshTokenRecord | undefined> {
    const row = this.tokens.find((t) => t.hash.equals(hash));
    return Promise.resolve(
      row && {
        id: row.id,
        familyId: row.familyId,
        userId: row.userId,
        username: this.usernames(row.userId),
        expiresAt: row.expiresAt,
        usedAt: row.usedAt,
        revokedAt: row.revokedAt,
      },
    );
  }

  override lockFamily(_tx: Queryable, familyId: string): Promise<{ revokedAt: Date | null } | undefined> {
    const family = this.families.get(familyId);
    return Promise.resolve(family && { revokedAt: family.revokedAt });
  }

  override findFamilyOf(hash: Buffer): Promise<string | undefined> {
    return Promise.resolve(this.tokens.find((t) => t.hash.equals(hash))?.familyId);
  }

  override markUsed(_tx: Queryable, tokenId: string, at: Date): Promise<void> {
    const row = this.tokens.find((t) => t.id === tokenId);
    if (row) row.usedAt = at;
    return Promise.resolve();
  }

  override revokeFamily(_tx: Queryable, familyId: string, at: Date): Promise<boolean> {
    const family = this.families.get(familyId);
    const live = family !== undefined && !family.revokedAt;
    if (family && !family.revokedAt) family.revokedAt = at;
    for (const token of this.tokens) if (token.familyId === familyId && !token.revokedAt) token.revokedAt = at;
    return Promise.resolve(live);
  }

  override revokeUserFamilies(_tx: Queryable, userId: string, at: Date): Promise<string[]> {
    const revoked: string[] = [];
    for (const family of this.families.values()) {
      if (family.userId !== userId || family.revokedAt) continue;
      family.revokedAt = at;
      revoked.push(family.id);
    }
    for (const token of this.tokens) if (token.userId === userId && !token.revokedAt) token.revokedAt = at;
    return Promise.resolve(revoked);
  }
}

export class InMemoryKeys extends KeysRepository {
  readonly rows: StoredSigningKey[] = [];
  locks = 0;

  constructor() {
    super(NO_POOL);
  }

  override lockKeyChanges(): Promise<void> {
    this.locks += 1;
    return Promise.resolve();
  }

  override findActive(): Promise<StoredSigningKey | undefined> {
    return Promise.resolve(this.rows.find((k) => k.retiredAt === null && k.activatedAt !== null));
  }

  override findNext(): Promise<StoredSigningKey | undefined> {
    return Promise.resolve(this.rows.find((k) => k.activatedAt === null));
  }

  override insert(_tx: Queryable, key: Omit<StoredSigningKey, 'retiredAt'>): Promise<void> {
    const index = key.activatedAt === null ? 'signing_keys_one_next' : 'signing_keys_one_active';
    if (this.rows.some((k) => (key.activatedAt === null ? k.activatedAt === null : k.retiredAt === null && k.activatedAt !== null))) {
      return Promise.reject(new Error(`${index} violated`));
    }
    this.rows.push({ ...key, publicJwk: { ...key.publicJwk }, retiredAt: null });
    return Promise.resolve();
  }

  override activate(_tx: Queryable, kid: string, at: Date): Promise<void> {
    if (this.rows.some((k) => k.retiredAt === null && k.activatedAt !== null)) return Promise.reject(new Error('signing_keys_one_active violated'));
    const key = this.rows.find((k) => k.kid === kid && k.activatedAt === null);
    if (key) key.activatedAt = at;
    return Promise.resolve();
  }

  override retire(_tx: Queryable, kid: string, at: Date): Promise<void> {
    const key = this.rows.find((k) => k.kid === kid && k.retiredAt === null);
    if (key) key.retiredAt = at;
    return Promise.resolve();
  }

  override listPublished(retiredAfter: Date): Promise<PublishedKey[]> {
    return Promise.resolve(
      this.rows
        .filter((k) => k.retiredAt === null || k.retiredAt.getTime() > retiredAfter.getTime())
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
        .map(({ kid, publicJwk, createdAt, retiredAt }) => ({ kid, publicJwk, createdAt, retiredAt })),
    );
  }
}

export class InMemoryOutbox extends OutboxRepository {
  readonly events: (OutboxEvent & { attempts: number; lastError?: string })[] = [];
  private nextId = 1;

  snapshot(): () => void {
    const copy = this.events.map((e) => ({ ...e }));
    return () => this.events.splice(0, this.events.length, ...copy);
  }

  override async enqueue<T extends TopicDefinition>(_tx: Queryable, topic: T, key: string, value: TopicValue<T>): Promise<void> {
    const payload: unknown = await topic.schema.parseAsync(value);
    this.events.push({ id: String(this.nextId++), topic: topic.name, key, payload, attempts: 0 });
  }

  override claim(_tx: Queryable, limit: number): Promise<OutboxEvent[]> {
    return Promise.resolve(this.events.slice(0, limit).map(({ id, topic, key, payload }) => ({ id, topic, key, payload })));
  }

  override delete(_tx: Queryable, ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      const index = this.events.findIndex((e) => e.id === id);
      if (index >= 0) this.events.splice(index, 1);
    }
    return Promise.resolve();
  }

  override recordFailure(_tx: Queryable, id: string, error: string): Promise<void> {
    const event = this.events.find((e) => e.id === id);
    if (event) {
      event.attempts += 1;
      event.lastError = error;
    }
    return Promise.resolve();
  }
}

/** LoginThrottle's failure counters; `down` makes every call fail as an unreachable Redis would. */
export class InMemoryCounters extends RateLimitRepository {
  down = false;

  constructor() {
    super(undefined as unknown as Redis);
  }

  readonly failureLog = new Map<string, { count: number; lastAt: number }>();

  override failures(key: string): Promise<{ count: number; lastAt: number } | undefined> {
    if (this.down) return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
    const entry = this.failureLog.get(key);
    return Promise.resolve(entry && { ...entry });
  }

  override recordFailure(key: string, atMs: number): Promise<void> {
    if (this.down) return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
    this.failureLog.set(key, { count: (this.failureLog.get(key)?.count ?? 0) + 1, lastAt: atMs });
    return Promise.resolve();
  }

  override clearFailures(key: string): Promise<void> {
    this.failureLog.delete(key);
    return Promise.resolve();
  }
}
