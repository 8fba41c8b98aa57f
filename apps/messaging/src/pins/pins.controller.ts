import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { IdSchema, type PinRequest, PinRequestSchema, type PinResponse, type PinsResponse } from '@chat/contracts';
import { AuthGuard, type AuthenticatedUser, CurrentUser } from '@chat/auth-client';
import { ZodValidationPipe } from '@chat/service-kit';
import { PinsService } from './pins.service';

@Controller('api/channels/:id/pins')
@UseGuards(AuthGuard)
export class PinsController {
  constructor(private readonly pins: PinsService) {}

  @Get()
  async list(@CurrentUser() caller: AuthenticatedUser, @Param('id', new ZodValidationPipe(IdSchema)) channelId: string): Promise<PinsResponse> {
    return { pins: await this.pins.list(caller, channelId) };
  }

  @Post()
  async pin(
    @CurrentUser() caller: AuthenticatedUser,
    @Param('id', new ZodValidationPipe(IdSchema)) channelId: string,
    @Body(new ZodValidationPipe(PinRequestSchema)) body: PinRequest,
  ): Promise<PinResponse> {
    return { pin: await this.pins.pin(caller, channelId, body.messageId) };
  }

  @Delete(':messageId')
  @HttpCode(204)
  async unpin(
    @CurrentUser() caller: AuthenticatedUser,
    @Param('id', new ZodValidationPipe(IdSchema)) channelId: string,
    @Param('messageId', new ZodValidationPipe(IdSchema)) messageId: string,
  ): Promise<void> {
    await this.pins.unpin(caller, channelId, messageId);
  }
}
