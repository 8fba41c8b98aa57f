import { Logger } from '@nestjs/common';
import { type RateLimiterAbstract } from 'rate-limiter-flexible';
import { memoryRateLimiters, RateLimitService } from './rate-limit.service';
import { refusal } from '../testing/refusal';

const config = {
  AUTH_RATE_LIMIT_WINDOW_SECONDS: 60,
  AUTH_LOGIN_LIMIT_PER_ADDRESS: 2,
  AUTH_REGISTER_LIMIT_PER_ADDRESS: 3,
};

describe('RateLimitService', () => {
  // The warnings these cases provoke on purpose are not news.
  beforeAll(() => {
    Logger.overrideLogger(false);
  });
  afterAll(() => {
    Logger.overrideLogger(new Logger());
  });

  let limits: RateLimitService;

  beforeEach(() => {
    limits = new RateLimitService(memoryRateLimiters(config));
  });

  it('lets the limit through and refuses the next attempt with rate_limited and Retry-After', async () => {
    for (let i = 0; i < 3; i++) await limits.consume('register-address', 'alice');
    const error = await refusal(limits.consume('register-address', 'alice'));
    expect(error.code).toBe('rate_limited');
    expect(error.status).toBe(429);
    expect(error.retryAfter).toBeGreaterThanOrEqual(59);
    expect(error.retryAfter).toBeLessThanOrEqual(60);
  });

  it('keeps each rule and subject apart', async () => {
    for (let i = 0; i < 3; i++) await limits.consume('register-address', 'alice');
    await expect(limits.consume('register-address', 'bob')).resolves.toBeUndefined();
    await expect(limits.consume('login-address', 'alice')).resolves.toBeUndefined();
    await limits.consume('login-address', '10.0.0.1');
    await limits.consume('login-address', '10.0.0.1');
    expect((await refusal(limits.consume('login-address', '10.0.0.1'))).code).toBe('rate_limited');
  });

  it('allows again once the window has passed', async () => {
    const short = new RateLimitService(memoryRateLimiters({ ...config, AUTH_RATE_LIMIT_WINDOW_SECONDS: 1 }));
    for (let i = 0; i < 3; i++) await short.consume('register-address', 'alice');
    const error = await refusal(short.consume('register-address', 'alice'));
    expect(error.retryAfter).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await expect(short.consume('register-address', 'alice')).resolves.toBeUndefined();
  });

  it('check counts nothing; count counts without refusing; check refuses once counted attempts reach the limit', async () => {
    for (let i = 0; i < 10; i++) await limits.check('login-address', '10.0.0.2');
    await limits.count('login-address', '10.0.0.2');
    await limits.check('login-address', '10.0.0.2');
    await limits.count('login-address', '10.0.0.2');
    const error = await refusal(limits.check('login-address', '10.0.0.2'));
    expect(error.code).toBe('rate_limited');
    expect(error.retryAfter).toBeGreaterThanOrEqual(1);
  });

  it('refuses as unavailable when the store cannot be reached', async () => {
    const down = { consume: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379')), get: () => Promise.reject(new Error('down')), penalty: () => Promise.reject(new Error('down')), points: 2 } as unknown as RateLimiterAbstract;
    const broken = new RateLimitService({ 'login-address': down, 'register-address': down });
    expect((await refusal(broken.consume('login-address', '10.0.0.1'))).code).toBe('unavailable');
    expect((await refusal(broken.check('login-address', '10.0.0.1'))).code).toBe('unavailable');
    expect((await refusal(broken.count('login-address', '10.0.0.1'))).code).toBe('unavailable');
  });
});
