import { Controller, type INestApplication, Post, UseGuards } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { type LoginRequest } from '@chat/contracts';
import { AppError, ErrorFilter } from '@chat/service-kit';
import { type Server } from 'node:http';
import request from 'supertest';
import { ClientAddresses } from '../rate-limit/client-address';
import { type Account } from './account';
import { AccountsService, BAD_CREDENTIALS } from './accounts.service';
import { LocalAuthGuard, SignedInAccount } from './local-auth.guard';
import { LocalStrategy } from './local.strategy';

const ERIN: Account = { id: '0b9b5f5e-4d8e-4a4b-9a51-2f6c1c0e7d10', username: 'erin', displayName: 'Erin', passwordHash: 'hash', createdAt: new Date(0) };

/** AccountsService.authenticate as the strategy sees it: erin / right password, or a refusal. */
class FakeAccounts {
  readonly calls: { input: LoginRequest; address: string }[] = [];
  refusal: AppError | undefined;

  authenticate(input: LoginRequest, address: string): Promise<Account> {
    this.calls.push({ input, address });
    if (this.refusal) return Promise.reject(this.refusal);
    if (input.username.toLowerCase() === 'erin' && input.password === 'right password') return Promise.resolve(ERIN);
    return Promise.reject(new AppError('unauthorized', BAD_CREDENTIALS));
  }
}

@Controller('auth')
class SignInController {
  @Post('login')
  @UseGuards(LocalAuthGuard)
  login(@SignedInAccount() account: Account): { id: string } {
    return { id: account.id };
  }
}

describe('LocalStrategy behind LocalAuthGuard (POST /auth/login)', () => {
  let app: INestApplication;
  let accounts: FakeAccounts;
  const login = (body: unknown) => request(app.getHttpServer() as Server).post('/auth/login').send(body as object);

  beforeEach(async () => {
    accounts = new FakeAccounts();
    const moduleRef = await Test.createTestingModule({
      controllers: [SignInController],
      providers: [
        LocalStrategy,
        LocalAuthGuard,
        { provide: AccountsService, useValue: accounts },
        { provide: ClientAddresses, useValue: { of: () => '203.0.113.7' } },
        { provide: APP_FILTER, useClass: ErrorFilter },
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });

  afterEach(() => app.close());

  it('hands the account of right credentials to the handler, with the normalized username and the client address', async () => {
    await login({ username: '  Erin ', password: 'right password' }).expect(201, { id: ERIN.id });
    expect(accounts.calls).toEqual([{ input: { username: 'Erin', password: 'right password' }, address: '203.0.113.7' }]);
  });

  it('answers 401 unauthorized for wrong credentials', async () => {
    const response = await login({ username: 'erin', password: 'wrong' }).expect(401);
    expect(response.body).toEqual({ error: { code: 'unauthorized', message: BAD_CREDENTIALS } });
  });

  it.each([
    ['no body', undefined],
    ['no password', { username: 'erin' }],
    ['a number as username', { username: 42, password: 'right password' }],
    ['an empty username', { username: '   ', password: 'right password' }],
    ['a password beyond the contract', { username: 'erin', password: 'x'.repeat(257) }],
  ])('answers 400 invalid for %s without checking anything', async (_name, body) => {
    const response = await login(body).expect(400);
    expect((response.body as { error: { code: string } }).error.code).toBe('invalid');
    expect(accounts.calls).toHaveLength(0);
  });

  it("passes the check's rate limit on, with Retry-After", async () => {
    accounts.refusal = new AppError('rate_limited', 'too many failed sign-ins; try again in 4 s', 4);
    const response = await login({ username: 'erin', password: 'right password' }).expect(429);
    expect(response.headers['retry-after']).toBe('4');
  });

  it('answers 503 unavailable when the check cannot be made', async () => {
    accounts.refusal = new AppError('unavailable', 'temporarily unable to accept sign-ins; try again');
    await login({ username: 'erin', password: 'right password' }).expect(503);
  });
});
