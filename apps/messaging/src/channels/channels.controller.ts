import { Body, Controller, Delete, Get, HttpCode, Param, Post, Res, UseGuards } from '@nestjs/common';
import {
  type AddChannelMemberRequest,
  AddChannelMemberRequestSchema,
  type Channel,
  type ChannelSummary,
  type CreateChannelRequest,
  CreateChannelRequestSchema,
  type CreateDmRequest,
  CreateDmRequestSchema,
  IdSchema,
  type MembershipsResponse,
} from '@chat/contracts';
import { AuthGuard, type AuthenticatedUser, CurrentUser } from '@chat/auth-client';
import { ZodValidationPipe } from '@chat/service-kit';
import { type Response } from 'express';
import { ChannelMembershipService } from './channel-membership.service';
import { ChannelsService } from './channels.service';

const IdParam = new ZodValidationPipe(IdSchema);

@Controller('api')
@UseGuards(AuthGuard)
export class ChannelsController {
  constructor(
    private readonly channels: ChannelsService,
    private readonly membership: ChannelMembershipService,
  ) {}

  @Get('workspaces/:id/channels')
  async list(@CurrentUser() caller: AuthenticatedUser, @Param('id', IdParam) workspaceId: string): Promise<{ channels: ChannelSummary[] }> {
    return { channels: await this.channels.list(caller, workspaceId) };
  }

  @Post('workspaces/:id/channels')
  async create(
    @CurrentUser() caller: AuthenticatedUser,
    @Param('id', IdParam) workspaceId: string,
    @Body(new ZodValidationPipe(CreateChannelRequestSchema)) body: CreateChannelRequest,
  ): Promise<{ channel: Channel }> {
    return { channel: await this.channels.create(caller, workspaceId, body) };
  }

  /** 201 when the DM was created by this call, 200 when it existed. */
  @Post('workspaces/:id/dms')
  async openDm(
    @CurrentUser() caller: AuthenticatedUser,
    @Param('id', IdParam) workspaceId: string,
    @Body(new ZodValidationPipe(CreateDmRequestSchema)) body: CreateDmRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<{ channel: Channel }> {
    const { channel, created } = await this.channels.openDm(caller, workspaceId, body.userIds);
    response.status(created ? 201 : 200);
    return { channel };
  }

  @Post('channels/:id/members')
  async join(
    @CurrentUser() caller: AuthenticatedUser,
    @Param('id', IdParam) channelId: string,
    @Body(new ZodValidationPipe(AddChannelMemberRequestSchema)) body: AddChannelMemberRequest,
  ): Promise<void> {
    await this.membership.join(caller, channelId, body.userId);
  }

  @Delete('channels/:id/members/me')
  @HttpCode(204)
  async leave(@CurrentUser() caller: AuthenticatedUser, @Param('id', IdParam) channelId: string): Promise<void> {
    await this.membership.leave(caller, channelId);
  }

  @Get('me/memberships')
  memberships(@CurrentUser() caller: AuthenticatedUser): Promise<MembershipsResponse> {
    return this.membership.memberships(caller);
  }
}
