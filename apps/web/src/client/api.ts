// REST calls to the one origin. Each carries the current access token; a 401 refreshes once and
// retries. Errors surface as ApiError with the protocol's code, so views can say "unavailable"
// for a feature whose service has not landed rather than failing.
import type { AuthSession, ErrorCode } from '@chat/contracts';
import { type Session } from './session';

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode | 'network',
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export class Api {
  constructor(private readonly session: Session) {}

  register(body: { username: string; password: string; displayName?: string }): Promise<AuthSession> {
    return this.call<AuthSession>('POST', '/auth/register', body, false);
  }

  login(body: { username: string; password: string }): Promise<AuthSession> {
    return this.call<AuthSession>('POST', '/auth/login', body, false);
  }

  async logout(refreshToken: string): Promise<void> {
    await this.call('POST', '/auth/logout', { refreshToken }, false);
  }

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.call<T>('POST', path, body ?? {});
  }

  delete(path: string): Promise<void> {
    return this.call<void>('DELETE', path);
  }

  /** A binary download with the bearer token (for image previews), as an object URL. */
  async blobUrl(path: string): Promise<string> {
    const response = await this.fetchWithAuth('GET', path);
    if (!response.ok) throw await toError(response);
    return URL.createObjectURL(await response.blob());
  }

  async call<T>(method: string, path: string, body?: unknown, authenticated = true): Promise<T> {
    const response = authenticated ? await this.fetchWithAuth(method, path, body) : await send(method, path, body);
    if (!response.ok) throw await toError(response);
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  private async fetchWithAuth(method: string, path: string, body?: unknown): Promise<Response> {
    const first = await send(method, path, body, await this.session.accessToken());
    if (first.status !== 401) return first;
    return send(method, path, body, await this.session.refresh());
  }
}

async function send(method: string, path: string, body?: unknown, token?: string): Promise<Response> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers['authorization'] = `Bearer ${token}`;
  try {
    return await fetch(path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  } catch (error) {
    throw new ApiError('network', error instanceof Error ? error.message : 'network error', 0);
  }
}

async function toError(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { error?: { code?: ErrorCode; message?: string } };
    if (body.error?.code) return new ApiError(body.error.code, body.error.message ?? body.error.code, response.status);
  } catch {
    // not a protocol error body
  }
  const code: ErrorCode = response.status === 404 ? 'not_found' : response.status === 401 ? 'unauthorized' : 'unavailable';
  return new ApiError(code, `${response.status} ${response.statusText}`, response.status);
}

export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.code === 'unavailable' ? 'That is not available right now.' : error.message;
  return error instanceof Error ? error.message : String(error);
}
