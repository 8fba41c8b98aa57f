// Sessions this gateway was told are over (chat.auth.session-revoked.v1). An access token of one of
// them is refused at the handshake and closes its socket (sessions/session-watch.ts). An entry is
// kept while a token of the session could still be valid (`retainMs` ≥ auth's access-token
// lifetime) and the set is bounded; a gateway started after a revocation does not know it, which
// leaves that session at most its access token's remaining lifetime (its refresh token is dead).
export interface RevokedSessionsOptions {
  retainMs: number;
  maxEntries: number;
  now?: () => number;
}

export class RevokedSessions {
  /** sid → when it may be forgotten; insertion order is time order, so the oldest come first. */
  private readonly until = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly options: RevokedSessionsOptions) {
    this.now = options.now ?? Date.now;
  }

  add(sessionIds: readonly string[]): void {
    const forgetAt = this.now() + this.options.retainMs;
    for (const sid of sessionIds) {
      this.until.delete(sid);
      this.until.set(sid, forgetAt);
    }
    this.prune();
  }

  has(sessionId: string | undefined): boolean {
    if (sessionId === undefined) return false;
    const forgetAt = this.until.get(sessionId);
    return forgetAt !== undefined && forgetAt > this.now();
  }

  get size(): number {
    return this.until.size;
  }

  private prune(): void {
    const now = this.now();
    for (const [sid, forgetAt] of this.until) {
      if (forgetAt > now && this.until.size <= this.options.maxEntries) break;
      this.until.delete(sid);
    }
  }
}
