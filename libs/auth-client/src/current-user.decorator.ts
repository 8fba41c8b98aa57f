import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { AppError } from '@chat/service-kit';
import { type AuthenticatedUser } from './access-token';
import { type AuthenticatedRequest } from './auth.guard';

/** The caller `{ id, username }` of a handler guarded by AuthGuard. */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): AuthenticatedUser => {
  const user = context.switchToHttp().getRequest<AuthenticatedRequest>().user;
  // Reaching here without a user means the handler forgot @UseGuards(AuthGuard): refuse, never guess.
  if (!user) throw new AppError('unauthorized', 'not authenticated');
  return user;
});
