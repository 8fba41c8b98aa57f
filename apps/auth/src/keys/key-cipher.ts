// Encryption at rest of private signing keys. With AUTH_KEY_ENCRYPTION_SECRET set, a private JWK
// is stored as `v1.<iv>.<tag>.<ciphertext>` (base64url; AES-256-GCM under a key derived from the
// secret with HKDF-SHA256, the key id as additional data so rows cannot be swapped). Without the
// secret keys are stored as plain JSON: then whoever can read the database can sign tokens.
import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@chat/service-kit';
import { RandomSource } from '../common/random';
import { type AuthConfig } from '../config';

const VERSION = 'v1';
const SALT = 'chat-auth/signing-keys';

export class KeyDecryptionError extends Error {}

@Injectable()
export class KeyCipher {
  private readonly key: Buffer | undefined;

  constructor(
    @Inject(APP_CONFIG) config: Pick<AuthConfig, 'AUTH_KEY_ENCRYPTION_SECRET'>,
    private readonly random: RandomSource,
  ) {
    const secret = config.AUTH_KEY_ENCRYPTION_SECRET;
    this.key = secret ? Buffer.from(hkdfSync('sha256', secret, SALT, VERSION, 32)) : undefined;
  }

  get encrypts(): boolean {
    return this.key !== undefined;
  }

  seal(plaintext: string, kid: string): string {
    if (!this.key) return plaintext;
    const iv = this.random.bytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(kid));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
  }

  open(stored: string, kid: string): string {
    if (!stored.startsWith(`${VERSION}.`)) return stored;
    if (!this.key) throw new KeyDecryptionError(`signing key ${kid} is stored encrypted but AUTH_KEY_ENCRYPTION_SECRET is not set`);
    const [, iv, tag, ciphertext] = stored.split('.').map((part) => Buffer.from(part, 'base64url'));
    if (!iv || !tag || !ciphertext) throw new KeyDecryptionError(`signing key ${kid} is not a valid envelope`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
      decipher.setAAD(Buffer.from(kid));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new KeyDecryptionError(`signing key ${kid} cannot be decrypted: AUTH_KEY_ENCRYPTION_SECRET differs from the one it was stored with`);
    }
  }
}
