import { Logger } from '@nestjs/common';
import { FakeClock, InMemoryCounters } from '../testing/fakes';
import { RateLimitService } from './rate-limit.service';
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

  let clock: FakeClock;
  let counters: InMemoryCounters;
  let limits: RateLimitService;

  beforeEach(() => {
    clock = new FakeClock(new Date(Date.UTC(2030, 0, 1, 0, 0, 0)));
    counters = new InMemoryCounters();
    limits = new RateLimitService(counters, clock, config);
  });

  it('lets the limit through and refuses the next attempt with rate_limited and Retry-After', async () => {
    for (let i = 0; i < 3; i++) await limits.consume('register-address', 'alice');
    const error = await refusal(limits.consume('register-address', 'alice'));
    expect(error.code).toBe('rate_limited');
    expect(error.status).toBe(429);
    expect(error.retryAfter).toBeGreaterThanOrEqual(1);
    expect(error.retryAfter).toBeLessThanOrEqual(120);
  });

  it('keeps each rule and subject apart', async () => {
    for (let i = 0; i < 3; i++) await limits.consume('register-address', 'alice');
    await expect(limits.consume('register-address', 'bob')).resolves.toBeUndefined();
    await expect(limits.consume('login-address', 'alice')).resolves.toBeUndefined();
    await limits.consume('login-address', '10.0.0.1');
    await limits.consume('login-address', '10.0.0.1');
    expect((await refusal(limits.consume('login-address', '10.0.0.1'))).code).toBe('rate_limited');
  });

  it('allows again once the Retry-After it gave has passed', async () => {
    for (let i = 0; i < 3; i++) await limits.consume('register-address', 'alice');
    const error = await refusal(limits.consume('register-address', 'alice'));
    clock.advance((error.retryAfter ?? 0) * 1000);
    await expect(limits.consume('register-address', 'alice')).resolves.toBeUndefined();
  });

  it('forgets attempts two windows old', async () => {
    for (let i = 0; i < 3; i++) await limits.consume('register-address', 'alice');
    clock.advance(120_000);
    for (let i = 0; i < 3; i++) await limits.consume('register-address', 'alice');
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

  it('refuses as unavailable when the counters cannot be reached', async () => {
    counters.down = true;
    const error = await refusal(limits.consume('login-address', '10.0.0.1'));
    expect(error.code).toBe('unavailable');
  });
});
