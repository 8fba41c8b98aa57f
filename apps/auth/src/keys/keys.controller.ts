import { Controller, Get, Header } from '@nestjs/common';
import { type JSONWebKeySet } from 'jose';
import { KeysService } from './keys.service';

@Controller('auth/.well-known')
export class KeysController {
  constructor(private readonly keys: KeysService) {}

  /** Verifiers cache the set for 5 minutes and refetch sooner when a token names a key they lack. */
  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  jwks(): Promise<JSONWebKeySet> {
    return this.keys.jwks();
  }
}
