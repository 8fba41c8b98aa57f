// Registration, sign-in and the caller's account. Failures say as little as they must: a wrong
// password and an unknown username give the same answer after the same amount of work.
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { type AuthSession, type ChangePasswordRequest, type LoginRequest, type RegisterRequest, type User, UserRegisteredTopic } from '@chat/contracts';
import { AppError } from '@chat/service-kit';
import { Clock } from '../common/clock';
import { Transactions } from '../common/database';
import { RandomSource } from '../common/random';
import { OutboxRelay } from '../outbox/outbox-relay.service';
import { OutboxRepository } from '../outbox/outbox.repository';
import { LoginThrottle } from '../rate-limit/login-throttle';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import { TokensService } from '../tokens/tokens.service';
import { type Account, toUser } from './account';
import { AccountsRepository } from './accounts.repository';
import { PasswordHasher } from './password-hasher';

export const BAD_CREDENTIALS = 'wrong username or password';

@Injectable()
export class AccountsService implements OnModuleInit {
  private readonly logger = new Logger(AccountsService.name);
  /** A real hash of a random password, verified against when the username is unknown. */
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly accounts: AccountsRepository,
    private readonly hasher: PasswordHasher,
    private readonly transactions: Transactions,
    private readonly tokens: TokensService,
    private readonly rateLimits: RateLimitService,
    private readonly throttle: LoginThrottle,
    private readonly outbox: OutboxRepository,
    private readonly relay: OutboxRelay,
    private readonly clock: Clock,
    private readonly random: RandomSource,
  ) {}

  /** Makes the dummy hash at start, so the first unknown-user sign-in costs no more than the others. */
  async onModuleInit(): Promise<void> {
    await this.dummy();
  }

  async register(input: RegisterRequest, clientAddress: string): Promise<AuthSession> {
    await this.rateLimits.consume('register-address', clientAddress);
    const account: Account = {
      id: this.random.uuid(),
      username: input.username,
      displayName: input.displayName ?? input.username,
      passwordHash: await this.hasher.hash(input.password),
      createdAt: this.clock.now(),
    };
    // The account, its first session and the event announcing it commit together; the relay
    // publishes the event after the commit (at least once).
    const tokens = await this.transactions.run(async (tx) => {
      if (!(await this.accounts.insert(tx, account))) throw new AppError('conflict', `username ${input.username} is taken`);
      await this.outbox.enqueue(tx, UserRegisteredTopic, account.id, {
        userId: account.id,
        username: account.username,
        displayName: account.displayName,
        registeredAt: account.createdAt.toISOString(),
      });
      return this.tokens.startSession(tx, account);
    });
    this.relay.nudge();
    this.logger.log({ userId: account.id }, 'account registered');
    return { user: toUser(account), ...tokens };
  }

  /**
   * Checks a sign-in's credentials (the local Passport strategy's verify step): the account, or
   * `unauthorized` (BAD_CREDENTIALS), `rate_limited` while the pair must wait, `unavailable`.
   */
  async authenticate(input: LoginRequest, clientAddress: string): Promise<Account> {
    // Only failures count (see LoginThrottle): nobody can lock an account out from elsewhere.
    await this.rateLimits.check('login-address', clientAddress);
    await this.throttle.admit(input.username, clientAddress);
    const account = await this.accounts.findByUsername(input.username);
    // An unknown username costs one verification too, so it takes as long as a wrong password.
    const valid = await this.hasher.verify(account?.passwordHash ?? (await this.dummy()), input.password);
    if (!account || !valid) {
      await Promise.all([this.rateLimits.count('login-address', clientAddress), this.throttle.failed(input.username, clientAddress)]);
      throw new AppError('unauthorized', BAD_CREDENTIALS);
    }
    await this.throttle.succeeded(input.username, clientAddress);
    if (this.hasher.needsRehash(account.passwordHash)) await this.upgradeHash(account, input.password);
    return account;
  }

  /** A new session (token pair) of an account that has just signed in. */
  async startSession(account: Account): Promise<AuthSession> {
    const tokens = await this.transactions.run((tx) => this.tokens.startSession(tx, account));
    return { user: toUser(account), ...tokens };
  }

  /**
   * Replaces the password after checking the current one. Every session of the user ends in the
   * same transaction (their refresh tokens stop working, their sockets are closed through the
   * session-revoked event); the caller gets a new session.
   */
  async changePassword(userId: string, input: ChangePasswordRequest, clientAddress: string): Promise<AuthSession> {
    const account = await this.accounts.findById(userId);
    if (!account) throw new AppError('unauthorized', 'account no longer exists');
    // A stolen access token must not become a password oracle: the same throttle as sign-in.
    await this.rateLimits.check('login-address', clientAddress);
    await this.throttle.admit(account.username, clientAddress);
    if (!(await this.hasher.verify(account.passwordHash, input.currentPassword))) {
      await Promise.all([this.rateLimits.count('login-address', clientAddress), this.throttle.failed(account.username, clientAddress)]);
      // Not `unauthorized`: the caller's token is fine, and clients refresh on a 401.
      throw new AppError('forbidden', 'the current password is wrong');
    }
    const passwordHash = await this.hasher.hash(input.newPassword);
    const tokens = await this.transactions.run(async (tx) => {
      await this.accounts.updatePasswordHash(account.id, passwordHash, tx);
      await this.tokens.revokeAllSessions(account.id, 'password-changed', tx);
      return this.tokens.startSession(tx, account);
    });
    this.relay.nudge();
    this.logger.log({ userId: account.id }, 'password changed; every session ended');
    return { user: toUser(account), ...tokens };
  }

  async me(userId: string): Promise<User> {
    const account = await this.accounts.findById(userId);
    // A valid token of a deleted account: the token outlived its subject.
    if (!account) throw new AppError('unauthorized', 'account no longer exists');
    return toUser(account);
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= this.hasher.hash(this.random.bytes(16).toString('base64url'));
    return this.dummyHash;
  }

  private async upgradeHash(account: Account, password: string): Promise<void> {
    try {
      await this.accounts.updatePasswordHash(account.id, await this.hasher.hash(password));
    } catch (error) {
      // Sign-in does not depend on it; the next one tries again.
      this.logger.warn({ err: error, userId: account.id }, 'could not upgrade the password hash');
    }
  }
}
