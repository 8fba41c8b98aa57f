import { Injectable } from '@nestjs/common';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { ACCESS_TOKEN_ALGORITHM } from '@chat/auth-client';

export interface GeneratedKey {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

/** Makes Ed25519 key pairs; the key id is the RFC 7638 thumbprint of the public key. */
@Injectable()
export class SigningKeyFactory {
  async generate(): Promise<GeneratedKey> {
    const { privateKey, publicKey } = await generateKeyPair(ACCESS_TOKEN_ALGORITHM, { crv: 'Ed25519', extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    return {
      kid,
      privateJwk: { ...(await exportJWK(privateKey)), kid, alg: ACCESS_TOKEN_ALGORITHM },
      publicJwk: { ...publicJwk, kid, alg: ACCESS_TOKEN_ALGORITHM, use: 'sig' },
    };
  }
}
