import { type AuthenticatedToken } from '@chat/auth-client';
import { type AccessClaims } from '@chat/contracts';
import { AppError } from '@chat/service-kit';
import { authenticateHandshake, type HandshakeDeps } from './handshake';

const USER = '0b9b5f5e-4d8e-4a4b-9a51-2f6c1c0e7d10';
const CHANNEL = '7b0c7a4e-1c9b-4a57-9a8c-3f0f2a9d6c11';
const WORKSPACE = '3e4f1c2a-5b6d-4e7f-8a9b-0c1d2e3f4a5b';

const SESSION = '5d6e7f80-1a2b-4c3d-8e9f-0a1b2c3d4e5f';

const CLAIMS: AccessClaims = { sub: USER, username: 'ada', exp: 2, iat: 1, sid: SESSION };

function deps(overrides: Partial<{ verify: () => Promise<AuthenticatedToken>; memberships: () => Promise<{ workspaceIds: string[]; channelIds: string[] }>; revoked: string[] }> = {}) {
  const verify = jest.fn(overrides.verify ?? (() => Promise.resolve({ user: { id: USER, username: 'ada' }, claims: CLAIMS })));
  const memberships = jest.fn(overrides.memberships ?? (() => Promise.resolve({ workspaceIds: [WORKSPACE], channelIds: [CHANNEL] })));
  const revoked = new Set(overrides.revoked ?? []);
  const all: HandshakeDeps = { jwt: { authenticateToken: verify }, messaging: { memberships }, changes: { cursor: () => 42 }, revoked: { has: (sid) => sid !== undefined && revoked.has(sid) } };
  return { all, verify, memberships };
}

async function refusal(work: Promise<unknown>): Promise<{ message: string; data: unknown }> {
  try {
    await work;
  } catch (error) {
    const e = error as Error & { data?: unknown };
    return { message: e.message, data: e.data };
  }
  throw new Error('expected a refusal');
}

describe('authenticateHandshake', () => {
  it('verifies the token, fetches memberships and notes the membership cursor', async () => {
    const { all, verify, memberships } = deps();
    await expect(authenticateHandshake({ token: 'tok' }, all)).resolves.toEqual({
      user: { id: USER, username: 'ada' },
      token: 'tok',
      workspaceIds: [WORKSPACE],
      channelIds: [CHANNEL],
      membershipCursor: 42,
    });
    expect(verify).toHaveBeenCalledWith('tok');
    expect(memberships).toHaveBeenCalledWith('tok');
  });

  it.each([undefined, null, 'tok', {}, { token: '' }, { token: 42 }])('refuses %p as unauthorized without asking anyone', async (auth) => {
    const { all, verify } = deps();
    await expect(refusal(authenticateHandshake(auth, all))).resolves.toEqual({
      message: 'unauthorized',
      data: { code: 'unauthorized', message: 'auth.token is missing' },
    });
    expect(verify).not.toHaveBeenCalled();
  });

  it('refuses a bad or expired token as unauthorized', async () => {
    const { all, memberships } = deps({ verify: () => Promise.reject(new AppError('unauthorized', 'access token expired')) });
    await expect(refusal(authenticateHandshake({ token: 'old' }, all))).resolves.toEqual({
      message: 'unauthorized',
      data: { code: 'unauthorized', message: 'access token expired' },
    });
    expect(memberships).not.toHaveBeenCalled();
  });

  it('refuses a token of a revoked session as unauthorized', async () => {
    const { all, memberships } = deps({ revoked: [SESSION] });
    await expect(refusal(authenticateHandshake({ token: 'tok' }, all))).resolves.toEqual({
      message: 'unauthorized',
      data: { code: 'unauthorized', message: 'this session was signed out; sign in again' },
    });
    expect(memberships).not.toHaveBeenCalled();
  });

  it('refuses as unavailable when keys or memberships cannot be had', async () => {
    const noKeys = deps({ verify: () => Promise.reject(new AppError('unavailable', 'token keys cannot be fetched')) });
    await expect(refusal(authenticateHandshake({ token: 't' }, noKeys.all))).resolves.toMatchObject({ message: 'unavailable' });
    const noMessaging = deps({ memberships: () => Promise.reject(new AppError('unavailable', 'messaging is unavailable')) });
    await expect(refusal(authenticateHandshake({ token: 't' }, noMessaging.all))).resolves.toMatchObject({ message: 'unavailable' });
    const crash = deps({ memberships: () => Promise.reject(new TypeError('boom')) });
    await expect(refusal(authenticateHandshake({ token: 't' }, crash.all))).resolves.toMatchObject({ message: 'unavailable' });
  });

  it('refuses as unauthorized when messaging rejects the token', async () => {
    const { all } = deps({ memberships: () => Promise.reject(new AppError('unauthorized', 'account no longer exists')) });
    await expect(refusal(authenticateHandshake({ token: 't' }, all))).resolves.toMatchObject({ message: 'unauthorized' });
  });
});
