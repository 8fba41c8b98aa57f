import { Body, Controller, Get, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { type Request } from 'express';
import {
  type AuthSession,
  type ChangePasswordRequest,
  ChangePasswordRequestSchema,
  type RegisterRequest,
  RegisterRequestSchema,
  type User,
} from '@chat/contracts';
import { AuthGuard, type AuthenticatedUser, CurrentUser } from '@chat/auth-client';
import { ZodValidationPipe } from '@chat/service-kit';
import { ClientAddresses } from '../rate-limit/client-address';
import { type Account } from './account';
import { AccountsService } from './accounts.service';
import { LocalAuthGuard, SignedInAccount } from './local-auth.guard';

@Controller('auth')
export class AccountsController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly addresses: ClientAddresses,
  ) {}

  @Post('register')
  @HttpCode(201)
  register(@Body(new ZodValidationPipe(RegisterRequestSchema)) body: RegisterRequest, @Req() request: Request): Promise<AuthSession> {
    return this.accounts.register(body, this.addresses.of(request));
  }

  /** LocalAuthGuard checks the credentials (LocalStrategy); the handler starts the session. */
  @Post('login')
  @HttpCode(200)
  @UseGuards(LocalAuthGuard)
  login(@SignedInAccount() account: Account): Promise<AuthSession> {
    return this.accounts.startSession(account);
  }

  /** Every session of the caller ends (sockets included); the answer is a new one for this device. */
  @Post('password')
  @HttpCode(200)
  @UseGuards(AuthGuard)
  changePassword(
    @CurrentUser() caller: AuthenticatedUser,
    @Body(new ZodValidationPipe(ChangePasswordRequestSchema)) body: ChangePasswordRequest,
    @Req() request: Request,
  ): Promise<AuthSession> {
    return this.accounts.changePassword(caller.id, body, this.addresses.of(request));
  }

  @Get('me')
  @UseGuards(AuthGuard)
  async me(@CurrentUser() caller: AuthenticatedUser): Promise<{ user: User }> {
    return { user: await this.accounts.me(caller.id) };
  }
}
