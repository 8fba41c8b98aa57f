import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { IdSchema, type ThreadQuery, ThreadQuerySchema, type ThreadResponse } from '@chat/contracts';
import { AuthGuard, type AuthenticatedUser, CurrentUser } from '@chat/auth-client';
import { ZodValidationPipe } from '@chat/service-kit';
import { ThreadsService } from './threads.service';

@Controller('api')
@UseGuards(AuthGuard)
export class ThreadsController {
  constructor(private readonly threads: ThreadsService) {}

  @Get('channels/:id/messages/:messageId/thread')
  page(
    @CurrentUser() caller: AuthenticatedUser,
    @Param('id', new ZodValidationPipe(IdSchema)) channelId: string,
    @Param('messageId', new ZodValidationPipe(IdSchema)) rootId: string,
    @Query(new ZodValidationPipe(ThreadQuerySchema)) query: ThreadQuery,
  ): Promise<ThreadResponse> {
    return this.threads.page(caller, channelId, rootId, query);
  }
}
