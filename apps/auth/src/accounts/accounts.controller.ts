import { Body, Controller, Get, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { type Request } from 'express';
import {
  type AuthSession,
  type ChangePasswordRequest,
  ChangePasswordRequestSchema,
  type LoginRequest,
  LoginRequestSchema,
  type RegisterRequest,
  RegisterRequestSchema,
  type User,
} from '@chat/contracts';
import { AuthGuard, type AuthenticatedUser, CurrentUser } from '@chat/auth-client';
import { ZodValidationPipe } from '@chat/service-kit';
import { ClientAddresses } from '../rate-limit/client-address';
import { AccountsService } from './accounts.service';

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

  @Post('login')
  @HttpCode(200)
  login(@Body(new ZodValidationPipe(LoginRequestSchema)) body: LoginRequest, @Req() request: Request): Promise<AuthSession> {
    return this.accounts.login(body, this.addresses.of(request));
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
