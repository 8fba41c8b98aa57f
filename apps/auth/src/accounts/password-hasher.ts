// Password hashing with argon2id. The cost comes from config (AUTH_ARGON2_*); hashes made with an
// older cost are upgraded at the next successful login.
import { Inject, Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';
import { APP_CONFIG } from '@chat/service-kit';
import { type AuthConfig } from '../config';

@Injectable()
export class PasswordHasher {
  private readonly options: { type: typeof argon2.argon2id; memoryCost: number; timeCost: number; parallelism: number };

  constructor(@Inject(APP_CONFIG) config: Pick<AuthConfig, 'AUTH_ARGON2_MEMORY_KIB' | 'AUTH_ARGON2_TIME_COST'>) {
    this.options = { type: argon2.argon2id, memoryCost: config.AUTH_ARGON2_MEMORY_KIB, timeCost: config.AUTH_ARGON2_TIME_COST, parallelism: 1 };
  }

  hash(password: string): Promise<string> {
    return argon2.hash(password, this.options);
  }

  /** False for a wrong password and for a malformed hash alike. */
  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  }

  needsRehash(hash: string): boolean {
    try {
      return argon2.needsRehash(hash, { memoryCost: this.options.memoryCost, timeCost: this.options.timeCost, parallelism: this.options.parallelism });
    } catch {
      return true;
    }
  }
}
