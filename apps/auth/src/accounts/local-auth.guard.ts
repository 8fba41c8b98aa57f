// POST /auth/login's guard: @nestjs/passport running this application's LocalStrategy, and the
// decorator that hands the signed-in account to the handler.
import { createParamDecorator, type ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard as PassportAuthGuard } from '@nestjs/passport';
import { authenticatedOrThrow } from '@chat/auth-client';
import { type LoginRequest, LoginRequestSchema } from '@chat/contracts';
import { AppError, ZodValidationPipe } from '@chat/service-kit';
import { type Request } from 'express';
import { type Observable } from 'rxjs';
import { type Account } from './account';
import { BAD_CREDENTIALS } from './accounts.service';
import { LocalStrategy } from './local.strategy';

@Injectable()
export class LocalAuthGuard extends PassportAuthGuard() {
  private readonly credentials = new ZodValidationPipe(LoginRequestSchema);

  constructor(strategy: LocalStrategy) {
    super({ defaultStrategy: strategy.name, session: false });
  }

  override canActivate(context: ExecutionContext): boolean | Promise<boolean> | Observable<boolean> {
    // Guards run before pipes: the body is held to the contract here, so a malformed one answers
    // `invalid` like every other route's, and the strategy reads the normalized credentials.
    const request = context.switchToHttp().getRequest<Request<unknown, unknown, LoginRequest>>();
    request.body = this.credentials.transform(request.body);
    return super.canActivate(context);
  }

  /** The strategy's refusals (`unauthorized`, `rate_limited`, `unavailable`) leave as they are. */
  override handleRequest<TUser = Account>(error: unknown, user: TUser | false): TUser {
    return authenticatedOrThrow(error, user, BAD_CREDENTIALS);
  }
}

/** The account LocalAuthGuard signed in. */
export const SignedInAccount = createParamDecorator((_data: unknown, context: ExecutionContext): Account => {
  const account = context.switchToHttp().getRequest<Request>().user as Account | undefined;
  // Reaching here without an account means the handler forgot @UseGuards(LocalAuthGuard).
  if (!account) throw new AppError('unauthorized', 'not signed in');
  return account;
});
