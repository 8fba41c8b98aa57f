import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { AuthGuard, type AuthenticatedUser, CurrentUser } from '@chat/auth-client';
import { type LogoutRequest, LogoutRequestSchema, type RefreshRequest, RefreshRequestSchema, type TokenPair } from '@chat/contracts';
import { ZodValidationPipe } from '@chat/service-kit';
import { TokensService } from './tokens.service';

@Controller('auth')
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Post('refresh')
  @HttpCode(200)
  refresh(@Body(new ZodValidationPipe(RefreshRequestSchema)) body: RefreshRequest): Promise<TokenPair> {
    return this.tokens.refresh(body.refreshToken);
  }

  @Post('logout')
  @HttpCode(204)
  async logout(@Body(new ZodValidationPipe(LogoutRequestSchema)) body: LogoutRequest): Promise<void> {
    await this.tokens.logout(body.refreshToken);
  }

  /** Ends every session of the caller: refresh tokens stop working and open sockets are closed. */
  @Post('sign-out-everywhere')
  @HttpCode(204)
  @UseGuards(AuthGuard)
  async signOutEverywhere(@CurrentUser() caller: AuthenticatedUser): Promise<void> {
    await this.tokens.revokeAllSessions(caller.id, 'sign-out-everywhere');
  }
}
