// Each service connects to Redis as its own ACL user (REDIS_USERNAME / REDIS_PASSWORD), which may
// touch only its key prefix: against the real local Redis, whose `default` user stays as it is.
import { randomBytes } from 'node:crypto';
import { Test, type TestingModule } from '@nestjs/testing';
import Redis from 'ioredis';
import { HealthModule } from '@chat/service-kit';
import { uniqueName } from '@chat/testing';
import { REDIS, RedisModule } from './redis.module';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

describe('RedisModule with an ACL user', () => {
  const admin = new Redis(REDIS_URL, { lazyConnect: true });
  const username = uniqueName('acl-spec-');
  const password = randomBytes(24).toString('base64url');
  const prefix = `${username}:`;
  let module: TestingModule;

  beforeAll(async () => {
    await admin.connect();
    await admin.call('ACL', 'SETUSER', username, 'reset', 'on', `>${password}`, `~${prefix}*`, '+@all', '-@dangerous');
    module = await Test.createTestingModule({ imports: [HealthModule, RedisModule.forRoot({ url: REDIS_URL, username, password, keyPrefix: prefix })] }).compile();
    await module.init();
  });

  afterAll(async () => {
    await module?.close();
    await admin.call('ACL', 'DELUSER', username);
    await admin.del(`${prefix}k`, 'outside-of-acl-spec');
    admin.disconnect();
  });

  it('authenticates as the configured user and works within its prefix', async () => {
    const redis = module.get<Redis>(REDIS);
    await redis.set('k', 'v');
    expect(await admin.get(`${prefix}k`)).toBe('v');
    const clients = String(await admin.call('CLIENT', 'LIST'));
    expect(clients.split('\n').filter((line) => line.includes(` user=${username} `))).not.toEqual([]);
  });

  it('is refused keys outside its prefix', async () => {
    const unprefixed = new Redis(REDIS_URL, { username, password, lazyConnect: true });
    await unprefixed.connect();
    await expect(unprefixed.set('outside-of-acl-spec', 'x')).rejects.toThrow(/NOPERM/);
    unprefixed.disconnect();
  });
});
