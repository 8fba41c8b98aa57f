import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { type HistoryQuery, HistoryQuerySchema, type HistoryResponse, IdSchema, type SyncPayload, SyncRequestSchema } from '@chat/contracts';
import { AuthGuard, type AuthenticatedUser, CurrentUser } from '@chat/auth-client';
import { ZodValidationPipe } from '@chat/service-kit';
import { HistoryService } from './history.service';

@Controller('api')
@UseGuards(AuthGuard)
export class MessagesController {
  constructor(private readonly history: HistoryService) {}

  @Get('channels/:id/messages')
  page(
    @CurrentUser() caller: AuthenticatedUser,
    @Param('id', new ZodValidationPipe(IdSchema)) channelId: string,
    @Query(new ZodValidationPipe(HistoryQuerySchema)) query: HistoryQuery,
  ): Promise<HistoryResponse> {
    return this.history.page(caller, channelId, query);
  }

  @Post('sync')
  @HttpCode(200)
  sync(@CurrentUser() caller: AuthenticatedUser, @Body(new ZodValidationPipe(SyncRequestSchema)) body: SyncPayload): Promise<HistoryResponse> {
    return this.history.sync(caller, body);
  }
}
