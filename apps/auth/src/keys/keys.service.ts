// Owns the access-token signing keys: creates the first one, publishes the next one NEXT_KEY_LEAD_MS
// before the active one is AUTH_KEY_ROTATION_DAYS old, then signs with it, and keeps a retired key
// published until every token it signed has expired. A verifier that fetched the JWKS at any time
// in the lead therefore already holds the key of every token signed after the rotation: no 401s
// while its cache is fresh. Each instance reloads the keys every minute, so a rotation done by one
// instance reaches the others; tokens an instance signs meanwhile with the retired key still verify.
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { createLocalJWKSet, errors, importJWK, type JSONWebKeySet, type JWK, type JWTVerifyGetKey, type KeyLike } from 'jose';
import { ACCESS_TOKEN_ALGORITHM } from '@chat/auth-client';
import { APP_CONFIG } from '@chat/service-kit';
import { Clock } from '../common/clock';
import { Transactions } from '../common/database';
import { type AuthConfig } from '../config';
import { KeyCipher } from './key-cipher';
import { KeysRepository, type StoredSigningKey } from './keys.repository';
import { SigningKeyFactory } from './signing-key.factory';

const DAY_MS = 86_400_000;
export const KEY_REFRESH_INTERVAL_MS = 60_000;
/** Least time between two reloads caused by tokens naming an unknown key. */
const UNKNOWN_KID_RELOAD_COOLDOWN_MS = 5_000;
/**
 * How much longer than the access-token lifetime a retired key stays published: covers instances
 * that sign with it until their next reload, and clock differences.
 */
export const RETIRED_KEY_MARGIN_MS = 10 * 60_000;
/**
 * How long the next key is published before it signs: well beyond what a verifier caches the JWKS
 * (libs/auth-client, 10 min by default) plus auth's own reload (1 min), so a verifier that could not
 * refetch for a while still has it. Capped at half the rotation period.
 */
export const NEXT_KEY_LEAD_MS = 60 * 60_000;

export interface SigningKey {
  kid: string;
  privateKey: KeyLike;
}

type KeysConfig = Pick<AuthConfig, 'AUTH_KEY_ROTATION_DAYS' | 'AUTH_ACCESS_TOKEN_TTL_SECONDS'>;

interface PublishedSet {
  jwks: JSONWebKeySet;
  resolve: ReturnType<typeof createLocalJWKSet>;
}

@Injectable()
export class KeysService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(KeysService.name);
  private readonly rotationMs: number;
  private readonly leadMs: number;
  private readonly publishRetiredMs: number;
  private active: (SigningKey & { createdAt: Date }) | undefined;
  private published: PublishedSet | undefined;
  private loadedAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly keys: KeysRepository,
    private readonly factory: SigningKeyFactory,
    private readonly cipher: KeyCipher,
    private readonly transactions: Transactions,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: KeysConfig,
  ) {
    this.rotationMs = config.AUTH_KEY_ROTATION_DAYS * DAY_MS;
    this.leadMs = Math.min(NEXT_KEY_LEAD_MS, this.rotationMs / 2);
    this.publishRetiredMs = config.AUTH_ACCESS_TOKEN_TTL_SECONDS * 1000 + RETIRED_KEY_MARGIN_MS;
  }

  async onModuleInit(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => {
      this.refresh().catch((error: unknown) => this.logger.warn({ err: error }, 'could not refresh signing keys; keeping the current ones'));
    }, KEY_REFRESH_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Creates, pre-publishes or rotates keys when due, then reloads the signing key and the published set. */
  async refresh(): Promise<void> {
    await this.ensureKeys();
    await this.load();
  }

  /** The key new tokens are signed with. */
  signingKey(): SigningKey {
    if (!this.active) throw new Error('signing keys are not loaded yet');
    return { kid: this.active.kid, privateKey: this.active.privateKey };
  }

  /**
   * The public keys that verify live tokens: the active key and recently retired ones. Read from
   * the database (at most every few seconds), so that right after another instance rotates, this
   * instance already publishes the new key its tokens name.
   */
  async jwks(): Promise<JSONWebKeySet> {
    if (this.clock.now().getTime() - this.loadedAt >= UNKNOWN_KID_RELOAD_COOLDOWN_MS) {
      await this.loadPublished().catch((error: unknown) => this.logger.warn({ err: error }, 'could not reload published keys; serving the cached set'));
    }
    return this.publishedSet().jwks;
  }

  /** Resolves a token's key from the published set, reloading once if another instance has just rotated. */
  readonly keyResolver: JWTVerifyGetKey = async (header, token) => {
    try {
      return await this.publishedSet().resolve(header, token);
    } catch (error) {
      const now = this.clock.now().getTime();
      if (!(error instanceof errors.JWKSNoMatchingKey) || now - this.loadedAt < UNKNOWN_KID_RELOAD_COOLDOWN_MS) throw error;
      await this.loadPublished();
      return this.publishedSet().resolve(header, token);
    }
  };

  private publishedSet(): PublishedSet {
    if (!this.published) throw new Error('signing keys are not loaded yet');
    return this.published;
  }

  /** What is due now: the first key, publishing the next key, or rotating to it (published long enough). */
  private dueChange(active: StoredSigningKey | undefined, next: StoredSigningKey | undefined, now: Date): 'first' | 'publish-next' | 'rotate' | undefined {
    if (!active) return 'first';
    const age = now.getTime() - (active.activatedAt ?? active.createdAt).getTime();
    if (!next) return age >= this.rotationMs - this.leadMs ? 'publish-next' : undefined;
    return age >= this.rotationMs && now.getTime() - next.createdAt.getTime() >= this.leadMs ? 'rotate' : undefined;
  }

  private async ensureKeys(): Promise<void> {
    const [current, upcoming] = await Promise.all([this.keys.findActive(), this.keys.findNext()]);
    if (!this.dueChange(current, upcoming, this.clock.now())) return;
    await this.transactions.run(async (tx) => {
      await this.keys.lockKeyChanges(tx);
      const now = this.clock.now();
      // Checked again under the lock: another instance may have just done it.
      const active = await this.keys.findActive(tx);
      const next = await this.keys.findNext(tx);
      const change = this.dueChange(active, next, now);
      if (change === 'rotate' && active && next) {
        await this.keys.retire(tx, active.kid, now);
        await this.keys.activate(tx, next.kid, now);
        this.logger.log({ kid: next.kid, retired: active.kid }, 'rotated the signing key to the published next key');
      } else if (change === 'first' && next) {
        // Only a next key (the active one deleted by hand): it is published already, sign with it.
        await this.keys.activate(tx, next.kid, now);
        this.logger.warn({ kid: next.kid }, 'no active signing key; activated the next key');
      } else if (change === 'first' || change === 'publish-next') {
        // The very first key signs at once: no token and no verifier exists before it.
        const generated = await this.factory.generate();
        await this.keys.insert(tx, {
          kid: generated.kid,
          privateJwk: this.cipher.seal(JSON.stringify(generated.privateJwk), generated.kid),
          publicJwk: generated.publicJwk,
          createdAt: now,
          activatedAt: change === 'first' ? now : null,
        });
        const message = change === 'first' ? 'created the first signing key' : 'published the next signing key; it signs from the next rotation';
        this.logger.log({ kid: generated.kid, encrypted: this.cipher.encrypts }, message);
      }
    });
  }

  private async load(): Promise<void> {
    await this.loadActive();
    await this.loadPublished();
  }

  private async loadActive(): Promise<void> {
    const stored = await this.keys.findActive();
    if (!stored) throw new Error('no active signing key');
    if (this.active?.kid !== stored.kid) {
      if (this.cipher.encrypts && !stored.privateJwk.startsWith('v1.')) {
        this.logger.warn({ kid: stored.kid }, 'the active signing key is stored unencrypted (created before AUTH_KEY_ENCRYPTION_SECRET was set); it stays so until rotated');
      }
      const jwk = JSON.parse(this.cipher.open(stored.privateJwk, stored.kid)) as JWK;
      const privateKey = (await importJWK(jwk, ACCESS_TOKEN_ALGORITHM)) as KeyLike;
      this.active = { kid: stored.kid, privateKey, createdAt: stored.createdAt };
    }
  }

  private async loadPublished(): Promise<void> {
    const now = this.clock.now();
    const keys = await this.keys.listPublished(new Date(now.getTime() - this.publishRetiredMs));
    const jwks: JSONWebKeySet = { keys: keys.map((key) => key.publicJwk) };
    this.published = { jwks, resolve: createLocalJWKSet(jwks) };
    this.loadedAt = now.getTime();
  }
}
