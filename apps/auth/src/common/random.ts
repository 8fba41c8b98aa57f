import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';

/** Randomness (ids, tokens, IVs) behind a class so specs can make it predictable. */
@Injectable()
export class RandomSource {
  bytes(length: number): Buffer {
    return randomBytes(length);
  }

  uuid(): string {
    return randomUUID();
  }
}
