// Sign-in as a Passport strategy (passport-local): the body's username and password, checked by
// AccountsService.authenticate with its throttles and its constant-time answer. The account it
// yields becomes `request.user` for POST /auth/login, which starts the session.
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { perInstanceNamed, unregisterStrategy } from '@chat/auth-client';
import { type Request } from 'express';
import { Strategy } from 'passport-local';
import { ClientAddresses } from '../rate-limit/client-address';
import { type Account } from './account';
import { AccountsService } from './accounts.service';

@Injectable()
export class LocalStrategy extends PassportStrategy(perInstanceNamed(Strategy, 'local')) implements OnModuleDestroy {
  constructor(
    private readonly accounts: AccountsService,
    private readonly addresses: ClientAddresses,
  ) {
    super({ usernameField: 'username', passwordField: 'password', passReqToCallback: true, session: false });
  }

  validate(request: Request, username: string, password: string): Promise<Account> {
    return this.accounts.authenticate({ username, password }, this.addresses.of(request));
  }

  onModuleDestroy(): void {
    unregisterStrategy(this.name);
  }
}
