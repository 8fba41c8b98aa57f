// Secrets `npm start` needs and nobody set: generated once per checkout and kept in the
// git-ignored .local/ folder (file mode 0600), so they survive restarts: auth's
// AUTH_KEY_ENCRYPTION_SECRET (without it the signing keys would be stored unencrypted), the direct
// hop's COMMAND_HOP_SECRET (without it every send goes through Kafka) and the
// passwords of the services' Redis and Kafka users and of messaging's Cassandra role
// (local-redis-users.ts, local-kafka-users.ts, local-cassandra-roles.ts).
// A value in the environment wins; losing the file means auth refuses to open the keys it
// encrypted (drop the local auth database, or set the old value).
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const LOCAL_SECRETS_DIR = join(__dirname, '..', '..', '..', '.local');

export interface LocalSecrets {
  AUTH_KEY_ENCRYPTION_SECRET: string;
  /** Shared by the gateways and messaging: the direct hop of sends (docs/design/sequencer.md). */
  COMMAND_HOP_SECRET: string;
}

/** The value of `name`: from `env`, else from `dir/<name in kebab case>`, else generated and kept there. */
export function localSecret(name: keyof LocalSecrets, env: NodeJS.ProcessEnv, dir = LOCAL_SECRETS_DIR): string {
  const given = env[name];
  if (given !== undefined && given !== '') return given;
  return localSecretFile(name.toLowerCase().replaceAll('_', '-'), dir);
}

/** The secret kept in `dir/<file>`, generated (32 random bytes, base64url) on first use. */
export function localSecretFile(file: string, dir = LOCAL_SECRETS_DIR): string {
  const path = join(dir, file);
  if (existsSync(path)) {
    const stored = readFileSync(path, 'utf8').trim();
    if (stored.length < 32) throw new Error(`${path} holds fewer than 32 characters; delete it to generate a new secret`);
    return stored;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const generated = randomBytes(32).toString('base64url');
  // 'wx': never overwrite a file another `npm start` has just written.
  writeFileSync(path, `${generated}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return generated;
}

export function localSecrets(env: NodeJS.ProcessEnv, dir = LOCAL_SECRETS_DIR): LocalSecrets {
  return { AUTH_KEY_ENCRYPTION_SECRET: localSecret('AUTH_KEY_ENCRYPTION_SECRET', env, dir), COMMAND_HOP_SECRET: localSecret('COMMAND_HOP_SECRET', env, dir) };
}
