import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localSecrets } from './local-secrets';
import { localRedisUsers } from './local-redis-users';
import { DEFAULT_PORTS, localServices } from './services';

describe('local secrets', () => {
  let dir: string;

  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'local-secrets-')), '.local');
  });

  afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  it('generates the signing-key secret once, keeps it private, and reuses it on the next start', () => {
    const first = localSecrets({}, dir).AUTH_KEY_ENCRYPTION_SECRET;
    expect(first.length).toBeGreaterThanOrEqual(32);
    const file = join(dir, 'auth-key-encryption-secret');
    expect(readFileSync(file, 'utf8').trim()).toBe(first);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(localSecrets({}, dir).AUTH_KEY_ENCRYPTION_SECRET).toBe(first);
  });

  it('prefers the environment, and refuses a truncated file', () => {
    expect(localSecrets({ AUTH_KEY_ENCRYPTION_SECRET: 'e'.repeat(40) }, dir).AUTH_KEY_ENCRYPTION_SECRET).toBe('e'.repeat(40));
    localSecrets({}, dir);
    writeFileSync(join(dir, 'auth-key-encryption-secret'), 'short');
    expect(() => localSecrets({}, dir)).toThrow(/fewer than 32 characters/);
  });

  it('hands the secret to auth, and to no other service', () => {
    const secrets = localSecrets({}, dir);
    const specs = localServices(DEFAULT_PORTS(1), null, secrets, { redis: [], kafka: [], cassandra: [] });
    expect(specs.find((s) => s.service === 'auth')?.env['AUTH_KEY_ENCRYPTION_SECRET']).toBe(secrets.AUTH_KEY_ENCRYPTION_SECRET);
    expect(specs.filter((s) => s.env['AUTH_KEY_ENCRYPTION_SECRET'] !== undefined).map((s) => s.service)).toEqual(['auth']);
  });

  it('hands the direct hop\'s secret to messaging and the gateways only', () => {
    const secrets = localSecrets({}, dir);
    expect(secrets.COMMAND_HOP_SECRET.length).toBeGreaterThanOrEqual(32);
    const specs = localServices(DEFAULT_PORTS(2), null, secrets, { redis: [], kafka: [], cassandra: [] });
    expect(specs.filter((s) => s.env['COMMAND_HOP_SECRET'] === secrets.COMMAND_HOP_SECRET).map((s) => s.name)).toEqual(['messaging', 'gateway-1', 'gateway-2']);
  });

  it('gives gateway, auth and presence a Redis user of their own (per run), and messaging and files none', () => {
    const users = localRedisUsers('web1', dir);
    expect(users.map((u) => [u.service, u.username, u.keys, u.channels])).toEqual([
      ['gateway', 'chat-web1-gateway', ['gateway:*'], ['gateway:typing:web1.']],
      ['auth', 'chat-web1-auth', ['web1.auth:*'], []],
      ['presence', 'chat-web1-presence', ['presence:*'], []],
    ]);
    expect(new Set(users.map((u) => u.password)).size).toBe(3);
    const specs = localServices(DEFAULT_PORTS(2), 'web1', localSecrets({}, dir), { redis: users, kafka: [], cassandra: [] });
    const redisOf = (name: string) => {
      const env = specs.find((s) => s.name === name)?.env ?? {};
      return [env['REDIS_USERNAME'], env['REDIS_PASSWORD'] === undefined ? undefined : 'set'];
    };
    expect(['auth', 'messaging', 'presence', 'files', 'gateway-1', 'gateway-2'].map(redisOf)).toEqual([
      ['chat-web1-auth', 'set'],
      [undefined, undefined],
      ['chat-web1-presence', 'set'],
      [undefined, undefined],
      ['chat-web1-gateway', 'set'],
      ['chat-web1-gateway', 'set'],
    ]);
    expect(localRedisUsers(null, dir).map((u) => u.username)).toEqual(['chat-local-gateway', 'chat-local-auth', 'chat-local-presence']);
  });
});
