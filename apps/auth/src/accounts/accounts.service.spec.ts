import { UserRegisteredTopic } from '@chat/contracts';
import { type EventPublisher } from '../outbox/event-publisher';
import { OutboxRelay } from '../outbox/outbox-relay.service';
import { LoginThrottle } from '../rate-limit/login-throttle';
import { memoryRateLimiters, RateLimitService } from '../rate-limit/rate-limit.service';
import {
  FakeClock,
  FakeHasher,
  FakeTransactions,
  InMemoryAccounts,
  InMemoryCounters,
  InMemoryOutbox,
  SequenceRandom,
} from '../testing/fakes';
import { type TokensService } from '../tokens/tokens.service';
import { AccountsService, BAD_CREDENTIALS } from './accounts.service';
import { refusal } from '../testing/refusal';

class CountingRelay extends OutboxRelay {
  nudges = 0;

  constructor() {
    super(new InMemoryOutbox(), undefined as unknown as EventPublisher, new FakeTransactions());
  }

  override nudge(): void {
    this.nudges += 1;
  }
}

/** Sessions are TokensService's business (its own spec); here they only need to be recognisable. */
class StubTokens {
  started: string[] = [];
  revoked: { userId: string; reason: string; inTransaction: boolean }[] = [];

  revokeAllSessions(userId: string, reason: string, tx?: unknown) {
    this.revoked.push({ userId, reason, inTransaction: tx !== undefined });
    return Promise.resolve(['00000000-0000-4000-8000-00000000aaaa']);
  }

  startSession(_tx: unknown, subject: { id: string; username: string }) {
    this.started.push(subject.id);
    return Promise.resolve({ accessToken: `access-for-${subject.username}`, refreshToken: `refresh-${this.started.length}` });
  }
}

const ADDRESS = '203.0.113.7';
const LIMITS = { AUTH_RATE_LIMIT_WINDOW_SECONDS: 60, AUTH_LOGIN_LIMIT_PER_ADDRESS: 100, AUTH_REGISTER_LIMIT_PER_ADDRESS: 100 };
const THROTTLE = { AUTH_LOGIN_FREE_FAILURES: 3, AUTH_LOGIN_DELAY_BASE_SECONDS: 1, AUTH_LOGIN_DELAY_MAX_SECONDS: 900, AUTH_LOGIN_FAILURE_MEMORY_SECONDS: 86_400 };
const ATTACKER = '198.51.100.66';

describe('AccountsService', () => {
  let clock: FakeClock;
  let accounts: InMemoryAccounts;
  let outbox: InMemoryOutbox;
  let hasher: FakeHasher;
  let relay: CountingRelay;
  let stubTokens: StubTokens;
  let counters: InMemoryCounters;
  let service: AccountsService;
  /** What POST /auth/login does: the local strategy's check, then a session. */
  const signIn = async (input: { username: string; password: string }, address: string) => service.startSession(await service.authenticate(input, address));

  beforeEach(() => {
    clock = new FakeClock();
    accounts = new InMemoryAccounts();
    outbox = new InMemoryOutbox();
    hasher = new FakeHasher();
    relay = new CountingRelay();
    stubTokens = new StubTokens();
    counters = new InMemoryCounters();
    service = new AccountsService(
      accounts,
      hasher,
      new FakeTransactions([accounts, outbox]),
      stubTokens as unknown as TokensService,
      new RateLimitService(memoryRateLimiters(LIMITS)),
      new LoginThrottle(counters, clock, THROTTLE),
      outbox,
      relay,
      clock,
      new SequenceRandom(),
    );
  });

  describe('register', () => {
    it('creates the account with a hashed password and returns it with a session', async () => {
      const session = await service.register({ username: 'Alice', password: 'correct horse battery' }, ADDRESS);
      expect(session.user).toEqual({ id: expect.any(String) as string, username: 'Alice', displayName: 'Alice', createdAt: clock.now().toISOString() });
      expect(session.accessToken).toBe('access-for-Alice');
      expect(accounts.rows.get(session.user.id)?.passwordHash).toBe('hash:correct horse battery');
      expect(stubTokens.started).toEqual([session.user.id]);
    });

    it('keeps a given display name', async () => {
      const { user } = await service.register({ username: 'bob', password: 'p'.repeat(10), displayName: 'Bob B.' }, ADDRESS);
      expect(user.displayName).toBe('Bob B.');
    });

    it('queues chat.user.registered.v1 in the same transaction, keyed by user id, and nudges the relay', async () => {
      const { user } = await service.register({ username: 'carol', password: 'p'.repeat(10) }, ADDRESS);
      expect(outbox.events).toEqual([
        expect.objectContaining({
          topic: UserRegisteredTopic.name,
          key: user.id,
          payload: { userId: user.id, username: 'carol', displayName: 'carol', registeredAt: user.createdAt },
        }),
      ]);
      expect(relay.nudges).toBe(1);
    });

    it('answers conflict for a username taken in another case, and leaves nothing behind', async () => {
      await service.register({ username: 'dave', password: 'p'.repeat(10) }, ADDRESS);
      const error = await refusal(service.register({ username: 'DAVE', password: 'q'.repeat(10) }, ADDRESS));
      expect(error.code).toBe('conflict');
      expect(accounts.rows.size).toBe(1);
      expect(outbox.events).toHaveLength(1);
      expect(relay.nudges).toBe(1);
    });
  });

  describe('login', () => {
    beforeEach(async () => {
      await service.register({ username: 'erin', password: 'right password' }, ADDRESS);
    });

    it('signs in with the right password, the username in any case', async () => {
      const session = await signIn({ username: 'ERIN', password: 'right password' }, ADDRESS);
      expect(session.user.username).toBe('erin');
      expect(session.refreshToken).toBe('refresh-2');
    });

    it('gives the same answer for a wrong password and an unknown user, after verifying a hash in both cases', async () => {
      const before = hasher.verifications;
      const wrong = await refusal(signIn({ username: 'erin', password: 'wrong password' }, ADDRESS));
      const unknown = await refusal(signIn({ username: 'nobody', password: 'wrong password' }, ADDRESS));
      expect([wrong.code, wrong.message]).toEqual(['unauthorized', BAD_CREDENTIALS]);
      expect([unknown.code, unknown.message]).toEqual(['unauthorized', BAD_CREDENTIALS]);
      expect(hasher.verifications - before).toBe(2);
    });

    it('delays a (username, address) pair exponentially after its free failures, whatever the case', async () => {
      for (const username of ['erin', 'Erin', 'ERIN']) await refusal(signIn({ username, password: 'wrong' }, ATTACKER));
      const first = await refusal(signIn({ username: 'erin', password: 'right password' }, ATTACKER));
      expect([first.code, first.retryAfter]).toEqual(['rate_limited', 1]);
      clock.advance(1_000);
      await refusal(signIn({ username: 'erin', password: 'wrong' }, ATTACKER));
      expect((await refusal(signIn({ username: 'erin', password: 'wrong' }, ATTACKER))).retryAfter).toBe(2);
      clock.advance(2_000);
      await refusal(signIn({ username: 'erin', password: 'wrong' }, ATTACKER));
      expect((await refusal(signIn({ username: 'erin', password: 'wrong' }, ATTACKER))).retryAfter).toBe(4);
    });

    it("never locks the owner out: an attacker's failures from another address do not delay them", async () => {
      for (let i = 0; i < 20; i++) {
        // Each guess as soon as the delay allows (it is capped at 15 min).
        clock.advance(900_000);
        expect((await refusal(signIn({ username: 'erin', password: `guess ${i}` }, ATTACKER))).code).toBe('unauthorized');
      }
      expect((await refusal(signIn({ username: 'erin', password: 'guess' }, ATTACKER))).code).toBe('rate_limited');
      await expect(signIn({ username: 'erin', password: 'right password' }, ADDRESS)).resolves.toMatchObject({ user: { username: 'erin' } });
    });

    it('never counts correct sign-ins, and a correct one clears the pair', async () => {
      for (let i = 0; i < 50; i++) await signIn({ username: 'erin', password: 'right password' }, ADDRESS);
      for (let i = 0; i < 3; i++) await refusal(signIn({ username: 'erin', password: 'wrong' }, ADDRESS));
      clock.advance(1_000);
      await signIn({ username: 'erin', password: 'right password' }, ADDRESS);
      for (let i = 0; i < 3; i++) expect((await refusal(signIn({ username: 'erin', password: 'wrong' }, ADDRESS))).code).toBe('unauthorized');
    });

    it('upgrades a hash made with an older cost', async () => {
      hasher.outdated.add('hash:right password');
      const hashes = hasher.hashes;
      await signIn({ username: 'erin', password: 'right password' }, ADDRESS);
      expect(hasher.hashes).toBe(hashes + 1);
    });
  });

  describe('changePassword', () => {
    it('checks the current password, stores the new hash, ends every session in the same transaction and starts a new one', async () => {
      const { user } = await service.register({ username: 'gina', password: 'old password' }, ADDRESS);
      const session = await service.changePassword(user.id, { currentPassword: 'old password', newPassword: 'new password!' }, ADDRESS);
      expect(accounts.rows.get(user.id)?.passwordHash).toBe('hash:new password!');
      expect(stubTokens.revoked).toEqual([{ userId: user.id, reason: 'password-changed', inTransaction: true }]);
      expect(session.refreshToken).toBe('refresh-2');
      expect(relay.nudges).toBe(2);
    });

    it('refuses a wrong current password as forbidden and changes nothing', async () => {
      const { user } = await service.register({ username: 'hank', password: 'old password' }, ADDRESS);
      const error = await refusal(service.changePassword(user.id, { currentPassword: 'guess', newPassword: 'new password!' }, ADDRESS));
      expect(error.code).toBe('forbidden');
      expect(accounts.rows.get(user.id)?.passwordHash).toBe('hash:old password');
      expect(stubTokens.revoked).toEqual([]);
    });
  });

  describe('me', () => {
    it('returns the account of the caller, and unauthorized when it no longer exists', async () => {
      const { user } = await service.register({ username: 'frank', password: 'p'.repeat(10) }, ADDRESS);
      await expect(service.me(user.id)).resolves.toEqual(user);
      expect((await refusal(service.me('00000000-0000-4000-8000-00000000ffff'))).code).toBe('unauthorized');
    });
  });
});
