// The signed-in session: tokens kept in localStorage so a reload stays signed in. Access tokens
// are refreshed shortly before they expire and whenever a call answers 401; one refresh runs at a
// time (the refresh token rotates, and reusing an old one would revoke the whole family), and
// other tabs pick the rotated pair up through the storage event.
import type { AuthSession, TokenPair, User } from '@chat/contracts';

const KEY = 'chat.session';

export interface StoredSession {
  user: User;
  accessToken: string;
  refreshToken: string;
}

export class SessionExpiredError extends Error {
  constructor() {
    super('session expired');
  }
}

type Listener = (session: StoredSession | null) => void;

export class Session {
  private current: StoredSession | null;
  private refreshing: Promise<string> | null = null;
  private readonly listeners = new Set<Listener>();

  constructor(private readonly storage: Storage = window.localStorage) {
    this.current = read(storage);
    window.addEventListener('storage', (event) => {
      if (event.key !== KEY) return;
      this.current = read(storage);
      this.emit();
    });
  }

  get value(): StoredSession | null {
    return this.current;
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(session: AuthSession): void {
    this.save({ user: session.user, accessToken: session.accessToken, refreshToken: session.refreshToken });
  }

  clear(): void {
    this.current = null;
    this.storage.removeItem(KEY);
    this.emit();
  }

  /** A token valid for at least `marginS` more seconds, refreshing if needed. */
  async accessToken(marginS = 30): Promise<string> {
    const session = this.current;
    if (!session) throw new SessionExpiredError();
    if (expiresAt(session.accessToken) - Date.now() / 1000 > marginS) return session.accessToken;
    return this.refresh();
  }

  /** Rotates the refresh token; concurrent callers share one rotation. */
  refresh(): Promise<string> {
    this.refreshing ??= this.rotate().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** Seconds until the access token expires. */
  secondsLeft(): number {
    return this.current ? expiresAt(this.current.accessToken) - Date.now() / 1000 : 0;
  }

  private async rotate(): Promise<string> {
    const session = this.current;
    if (!session) throw new SessionExpiredError();
    const response = await fetch('/auth/refresh', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: session.refreshToken }),
    });
    if (response.status === 401 || response.status === 400) {
      // Another tab may have rotated it a moment ago: take its pair if it is newer.
      const stored = read(this.storage);
      if (stored && stored.refreshToken !== session.refreshToken) {
        this.current = stored;
        return stored.accessToken;
      }
      this.clear();
      throw new SessionExpiredError();
    }
    if (!response.ok) throw new Error(`refresh failed (${response.status})`);
    const pair = (await response.json()) as TokenPair;
    this.save({ ...session, ...pair });
    return pair.accessToken;
  }

  private save(session: StoredSession): void {
    this.current = session;
    this.storage.setItem(KEY, JSON.stringify(session));
    this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) listener(this.current);
  }
}

function read(storage: Storage): StoredSession | null {
  try {
    const raw = storage.getItem(KEY);
    return raw ? (JSON.parse(raw) as StoredSession) : null;
  } catch {
    return null;
  }
}

/** The `exp` claim of a JWT (seconds), or 0 when unreadable. */
export function expiresAt(token: string): number {
  try {
    const payload = token.split('.')[1] ?? '';
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp : 0;
  } catch {
    return 0;
  }
}
