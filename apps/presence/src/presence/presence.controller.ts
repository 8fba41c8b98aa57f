import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { type Presence, type PresenceQuery, PresenceQuerySchema } from '@chat/contracts';
import { AuthGuard, type AuthenticatedUser, CurrentUser } from '@chat/auth-client';
import { ZodValidationPipe } from '@chat/service-kit';
import { PresenceService } from './presence.service';

@Controller('api/presence')
@UseGuards(AuthGuard)
export class PresenceController {
  constructor(private readonly presence: PresenceService) {}

  @Get()
  async get(
    @CurrentUser() caller: AuthenticatedUser,
    @Query(new ZodValidationPipe(PresenceQuerySchema)) query: PresenceQuery,
  ): Promise<{ presence: Presence[] }> {
    return { presence: await this.presence.visible(caller.id, query.userIds) };
  }
}
