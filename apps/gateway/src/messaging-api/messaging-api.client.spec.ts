import { AppError } from '@chat/service-kit';
import { MessagingApi } from './messaging-api.client';

const CHANNEL = '7b0c7a4e-1c9b-4a57-9a8c-3f0f2a9d6c11';

function fakeFetch(answer: () => Promise<Response> | Response) {
  const calls: { url: string; init: RequestInit | undefined }[] = [];
  const fn = jest.fn((input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    calls.push({ url: input instanceof Request ? input.url : input.toString(), init });
    return Promise.resolve(answer());
  });
  return { fn: fn as unknown as typeof fetch, calls };
}

async function codeOf(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('MessagingApi', () => {
  it('fetches memberships with the caller\'s bearer token', async () => {
    const { fn, calls } = fakeFetch(() => Response.json({ workspaceIds: [], channelIds: [CHANNEL] }));
    const api = new MessagingApi({ baseUrl: 'http://messaging:3002', timeoutMs: 1_000, fetch: fn });
    await expect(api.memberships('tok')).resolves.toEqual({ workspaceIds: [], channelIds: [CHANNEL] });
    expect(calls[0]?.url).toBe('http://messaging:3002/api/me/memberships');
    expect(calls[0]?.init?.method).toBe('GET');
    expect((calls[0]?.init?.headers as Record<string, string>).authorization).toBe('Bearer tok');
  });

  it('posts sync and returns messages and hasMore', async () => {
    const { fn, calls } = fakeFetch(() => Response.json({ messages: [], hasMore: false }));
    const api = new MessagingApi({ baseUrl: 'http://messaging:3002', timeoutMs: 1_000, fetch: fn });
    await expect(api.sync('tok', { channels: [{ channelId: CHANNEL, afterSeq: 3 }] })).resolves.toEqual({ messages: [], hasMore: false });
    expect(calls[0]?.init?.method).toBe('POST');
    expect(JSON.parse(calls[0]?.init?.body as string)).toEqual({ channels: [{ channelId: CHANNEL, afterSeq: 3 }] });
  });

  it('passes on the error code messaging answered', async () => {
    const { fn } = fakeFetch(() => Response.json({ error: { code: 'forbidden', message: 'not a member' } }, { status: 403 }));
    const api = new MessagingApi({ baseUrl: 'http://m', timeoutMs: 1_000, fetch: fn });
    await expect(codeOf(api.sync('tok', { channels: [{ channelId: CHANNEL, afterSeq: 0 }] }))).resolves.toBe('forbidden');
  });

  it('maps a bare status to its code', async () => {
    const { fn } = fakeFetch(() => new Response('nope', { status: 401 }));
    const api = new MessagingApi({ baseUrl: 'http://m', timeoutMs: 1_000, fetch: fn });
    await expect(codeOf(api.memberships('tok'))).resolves.toBe('unauthorized');
  });

  it('answers unavailable when messaging cannot be reached or answers outside the contract', async () => {
    const down = new MessagingApi({ baseUrl: 'http://m', timeoutMs: 1_000, fetch: fakeFetch(() => Promise.reject(new TypeError('fetch failed'))).fn });
    await expect(codeOf(down.memberships('tok'))).resolves.toBe('unavailable');
    const odd = new MessagingApi({ baseUrl: 'http://m', timeoutMs: 1_000, fetch: fakeFetch(() => Response.json({ channels: 'x' })).fn });
    await expect(codeOf(odd.memberships('tok'))).resolves.toBe('unavailable');
    const broken = new MessagingApi({ baseUrl: 'http://m', timeoutMs: 1_000, fetch: fakeFetch(() => new Response('<html>', { status: 502 })).fn });
    await expect(codeOf(broken.memberships('tok'))).resolves.toBe('unavailable');
  });

  it('gives up after its deadline', async () => {
    const hanging: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason as Error)));
    const api = new MessagingApi({ baseUrl: 'http://m', timeoutMs: 50, fetch: hanging });
    await expect(codeOf(api.memberships('tok'))).resolves.toBe('unavailable');
  });
});
