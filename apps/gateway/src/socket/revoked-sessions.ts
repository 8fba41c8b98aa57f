// Sessions this gateway was told are over (chat.auth.session-revoked.v1). An access token of one of
// them is refused at the handshake and closes its socket (sessions/session-watch.ts). An entry is
// kept while a token of the session could still be valid (`retainMs` ≥ auth's access-token
// lifetime) and the set is bounded; a gateway started after a revocation does not know it, which
// leaves that session at most its access token's remaining lifetime (its refresh token is dead).
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@chat/service-kit';
import { Clock } from '../common/clock';
import { type GatewayConfig } from '../config';

@Injectable()
export class RevokedSessions {
  /** At most this many sessions are remembered; the oldest are forgotten first. */
  protected readonly maxEntries: number = 1_000_000;
  /** sid → when it may be forgotten; insertion order is time order, so the oldest come first. */
  private readonly until = new Map<string, number>();
  private readonly retainMs: number;

  constructor(
    @Inject(APP_CONFIG) config: Pick<GatewayConfig, 'REVOKED_SESSIONS_RETAIN_MS'>,
    private readonly clock: Clock,
  ) {
    this.retainMs = config.REVOKED_SESSIONS_RETAIN_MS;
  }

  add(sessionIds: readonly string[]): void {
    const forgetAt = this.clock.now() + this.retainMs;
    for (const sid of sessionIds) {
      this.until.delete(sid);
      this.until.set(sid, forgetAt);
    }
    this.prune();
  }

  has(sessionId: string | undefined): boolean {
    if (sessionId === undefined) return false;
    const forgetAt = this.until.get(sessionId);
    return forgetAt !== undefined && forgetAt > this.clock.now();
  }

  get size(): number {
    return this.until.size;
  }

  private prune(): void {
    const now = this.clock.now();
    for (const [sid, forgetAt] of this.until) {
      if (forgetAt > now && this.until.size <= this.maxEntries) break;
      this.until.delete(sid);
    }
  }
}
