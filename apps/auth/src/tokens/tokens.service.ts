// Sessions: an access token plus a refresh token that starts a family. A refresh rotates the token
// (the presented one becomes used, the next one joins the family); presenting a used token again
// means two parties hold it, so the whole family is revoked and both must sign in again.
// A family is a session: its id is the `sid` of its access tokens. Every revocation (logout, sign
// out everywhere, password change, reuse) commits a chat.auth.session-revoked.v1 event in the same
// transaction (outbox), so every gateway disconnects that session's open sockets.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { type SessionRevocationReason, SessionRevokedTopic, type TokenPair } from '@chat/contracts';
import { AppError, APP_CONFIG } from '@chat/service-kit';
import { Clock } from '../common/clock';
import { type Queryable, Transactions } from '../common/database';
import { RandomSource } from '../common/random';
import { type AuthConfig } from '../config';
import { OutboxRelay } from '../outbox/outbox-relay.service';
import { OutboxRepository } from '../outbox/outbox.repository';
import { AccessTokenSigner, type TokenSubject } from './access-token.signer';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { hashRefreshToken } from './token-hash';

const DAY_MS = 86_400_000;
export const INVALID_REFRESH_TOKEN = 'invalid or expired refresh token';

type Rotation =
  | { kind: 'rotated'; refreshToken: string; subject: TokenSubject; familyId: string; at: Date }
  | { kind: 'unknown' }
  | { kind: 'revoked' }
  | { kind: 'expired' }
  | { kind: 'reused'; familyId: string; userId: string };

@Injectable()
export class TokensService {
  private readonly logger = new Logger(TokensService.name);
  private readonly refreshTtlMs: number;

  constructor(
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly signer: AccessTokenSigner,
    private readonly transactions: Transactions,
    private readonly clock: Clock,
    private readonly random: RandomSource,
    private readonly outbox: OutboxRepository,
    private readonly relay: OutboxRelay,
    @Inject(APP_CONFIG) config: Pick<AuthConfig, 'AUTH_REFRESH_TOKEN_TTL_DAYS'>,
  ) {
    this.refreshTtlMs = Math.round(config.AUTH_REFRESH_TOKEN_TTL_DAYS * DAY_MS);
  }

  /** A new session (token family) for `subject`, written in the caller's transaction. */
  async startSession(tx: Queryable, subject: TokenSubject): Promise<TokenPair> {
    const now = this.clock.now();
    const familyId = this.random.uuid();
    await this.refreshTokens.insertFamily(tx, { id: familyId, userId: subject.id, createdAt: now });
    const refreshToken = await this.addToken(tx, familyId, subject.id, now);
    return { accessToken: await this.signer.sign(subject, familyId, now), refreshToken };
  }

  async refresh(presented: string): Promise<TokenPair> {
    // The presented row stays locked (FOR UPDATE) until commit: of two concurrent refreshes of one
    // token the second waits, then finds it used and is treated as reuse.
    const rotation = await this.transactions.run(async (tx): Promise<Rotation> => {
      const now = this.clock.now();
      const token = await this.refreshTokens.lockToken(tx, hashRefreshToken(presented));
      if (!token) return { kind: 'unknown' };
      const family = await this.refreshTokens.lockFamily(tx, token.familyId);
      if (!family || family.revokedAt || token.revokedAt) return { kind: 'revoked' };
      if (token.usedAt) {
        await this.revokeSession(tx, token.userId, token.familyId, 'token-reuse', now);
        return { kind: 'reused', familyId: token.familyId, userId: token.userId };
      }
      if (token.expiresAt.getTime() <= now.getTime()) return { kind: 'expired' };
      await this.refreshTokens.markUsed(tx, token.id, now);
      const refreshToken = await this.addToken(tx, token.familyId, token.userId, now);
      return { kind: 'rotated', refreshToken, subject: { id: token.userId, username: token.username }, familyId: token.familyId, at: now };
    });
    switch (rotation.kind) {
      case 'rotated':
        return { accessToken: await this.signer.sign(rotation.subject, rotation.familyId, rotation.at), refreshToken: rotation.refreshToken };
      case 'reused':
        this.relay.nudge();
        this.logger.warn({ userId: rotation.userId, familyId: rotation.familyId }, 'refresh token reused: revoked its family');
        throw new AppError('unauthorized', INVALID_REFRESH_TOKEN);
      case 'unknown':
      case 'revoked':
      case 'expired':
        throw new AppError('unauthorized', INVALID_REFRESH_TOKEN);
    }
  }

  /** Revokes the family of the presented token; unknown tokens are ignored (logout is idempotent). */
  async logout(presented: string): Promise<void> {
    const now = this.clock.now();
    const revoked = await this.transactions.run(async (tx) => {
      const token = await this.refreshTokens.lockToken(tx, hashRefreshToken(presented));
      return token ? this.revokeSession(tx, token.userId, token.familyId, 'logout', now) : false;
    });
    if (revoked) this.relay.nudge();
  }

  /**
   * Ends every session of the user, in the caller's transaction (a password change) or its own;
   * the ids of the sessions that were live. The caller nudges the relay after its commit.
   */
  async revokeAllSessions(userId: string, reason: SessionRevocationReason, tx?: Queryable): Promise<string[]> {
    const now = this.clock.now();
    const work = async (q: Queryable): Promise<string[]> => {
      const sessionIds = await this.refreshTokens.revokeUserFamilies(q, userId, now);
      if (sessionIds.length > 0) await this.announce(q, userId, sessionIds, reason, now);
      return sessionIds;
    };
    const revoked = tx ? await work(tx) : await this.transactions.run(work);
    if (!tx && revoked.length > 0) this.relay.nudge();
    return revoked;
  }

  private async revokeSession(tx: Queryable, userId: string, familyId: string, reason: SessionRevocationReason, now: Date): Promise<boolean> {
    const live = await this.refreshTokens.revokeFamily(tx, familyId, now);
    if (live) await this.announce(tx, userId, [familyId], reason, now);
    return live;
  }

  private announce(tx: Queryable, userId: string, sessionIds: string[], reason: SessionRevocationReason, at: Date): Promise<void> {
    return this.outbox.enqueue(tx, SessionRevokedTopic, userId, { userId, sessionIds, reason, revokedAt: at.toISOString() });
  }

  private async addToken(tx: Queryable, familyId: string, userId: string, now: Date): Promise<string> {
    const token = this.random.bytes(32).toString('base64url');
    await this.refreshTokens.insertToken(tx, {
      id: this.random.uuid(),
      hash: hashRefreshToken(token),
      familyId,
      userId,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.refreshTtlMs),
    });
    return token;
  }
}
