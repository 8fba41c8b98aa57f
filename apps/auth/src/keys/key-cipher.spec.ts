import { SequenceRandom } from '../testing/fakes';
import { KeyCipher, KeyDecryptionError } from './key-cipher';

const SECRET = 'a-secret-of-at-least-thirty-two-characters';
const JWK = JSON.stringify({ kty: 'OKP', crv: 'Ed25519', d: 'private-part', x: 'public-part' });

describe('KeyCipher', () => {
  it('stores keys as they are without a secret', () => {
    const cipher = new KeyCipher({ AUTH_KEY_ENCRYPTION_SECRET: undefined }, new SequenceRandom());
    expect(cipher.encrypts).toBe(false);
    expect(cipher.seal(JWK, 'kid-1')).toBe(JWK);
    expect(cipher.open(JWK, 'kid-1')).toBe(JWK);
  });

  it('encrypts with a secret, so the stored text reveals nothing of the key, and decrypts it back', () => {
    const cipher = new KeyCipher({ AUTH_KEY_ENCRYPTION_SECRET: SECRET }, new SequenceRandom());
    const sealed = cipher.seal(JWK, 'kid-1');
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('private-part');
    expect(cipher.open(sealed, 'kid-1')).toBe(JWK);
  });

  it('still reads keys stored before the secret was set', () => {
    const cipher = new KeyCipher({ AUTH_KEY_ENCRYPTION_SECRET: SECRET }, new SequenceRandom());
    expect(cipher.open(JWK, 'kid-1')).toBe(JWK);
  });

  it('refuses a wrong secret, a missing secret and a key moved to another kid', () => {
    const sealed = new KeyCipher({ AUTH_KEY_ENCRYPTION_SECRET: SECRET }, new SequenceRandom()).seal(JWK, 'kid-1');
    const other = new KeyCipher({ AUTH_KEY_ENCRYPTION_SECRET: `${SECRET}-changed` }, new SequenceRandom());
    expect(() => other.open(sealed, 'kid-1')).toThrow(KeyDecryptionError);
    expect(() => new KeyCipher({ AUTH_KEY_ENCRYPTION_SECRET: undefined }, new SequenceRandom()).open(sealed, 'kid-1')).toThrow(/not set/);
    expect(() => new KeyCipher({ AUTH_KEY_ENCRYPTION_SECRET: SECRET }, new SequenceRandom()).open(sealed, 'kid-2')).toThrow(KeyDecryptionError);
  });
});
