import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localSecrets } from './local-secrets';
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
    const specs = localServices(DEFAULT_PORTS(1), null, secrets);
    expect(specs.find((s) => s.service === 'auth')?.env['AUTH_KEY_ENCRYPTION_SECRET']).toBe(secrets.AUTH_KEY_ENCRYPTION_SECRET);
    expect(specs.filter((s) => s.env['AUTH_KEY_ENCRYPTION_SECRET'] !== undefined).map((s) => s.service)).toEqual(['auth']);
  });
});
