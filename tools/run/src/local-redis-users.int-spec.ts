// `npm start`'s Redis users on the real local Redis: each may touch its own prefix (and the
// gateway its typing channel) and nothing else; a second start resets them to the same rules.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisUrl } from '@chat/infra';
import { uniqueName } from '@chat/testing';
import Redis from 'ioredis';
import { ensureRedisUsers, localRedisUsers } from './local-redis-users';

describe('npm start: a Redis ACL user per service', () => {
  const dir = mkdtempSync(join(tmpdir(), 'redis-users-'));
  const run = uniqueName('ru');
  const users = localRedisUsers(run, dir);
  const admin = new Redis(redisUrl(), { lazyConnect: true });
  const as = (service: string): Redis => {
    const user = users.find((u) => u.service === service);
    if (!user) throw new Error(`no user for ${service}`);
    return new Redis(redisUrl(), { username: user.username, password: user.password, lazyConnect: true, maxRetriesPerRequest: 0 });
  };

  beforeAll(async () => {
    await admin.connect();
    await ensureRedisUsers(redisUrl(), users);
    // Idempotent: the next start resets them to the same rules.
    await ensureRedisUsers(redisUrl(), users);
  });

  afterAll(async () => {
    for (const user of users) await admin.call('ACL', 'DELUSER', user.username);
    await admin.del(`${run}.auth:spec`, 'gateway:spec-ru', 'presence:spec-ru');
    admin.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets each service touch only its own keys', async () => {
    const cases: [string, string, boolean][] = [
      ['auth', `${run}.auth:spec`, true],
      ['auth', 'auth:spec-of-another-run', false],
      ['auth', 'presence:spec-ru', false],
      ['gateway', 'gateway:spec-ru', true],
      ['gateway', `${run}.auth:spec`, false],
      ['presence', 'presence:spec-ru', true],
      ['presence', 'gateway:spec-ru', false],
    ];
    for (const [service, key, allowed] of cases) {
      const client = as(service);
      await client.connect();
      const outcome = await client.set(key, 'x').then(
        () => 'ok',
        (error: Error) => error.message,
      );
      client.disconnect();
      expect({ service, key, outcome }).toEqual({ service, key, outcome: allowed ? 'ok' : expect.stringMatching(/NOPERM/) as string });
    }
  });

  it("lets the gateway publish on its run's typing channel only, and nobody run dangerous commands", async () => {
    const gateway = as('gateway');
    await gateway.connect();
    await expect(gateway.publish(`gateway:typing:${run}.`, '{}')).resolves.toBe(0);
    await expect(gateway.publish('gateway:typing:', '{}')).rejects.toThrow(/NOPERM/);
    await expect(gateway.flushall()).rejects.toThrow(/NOPERM/);
    gateway.disconnect();
  });
});
