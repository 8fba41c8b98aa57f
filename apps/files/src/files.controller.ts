// `/api/files`: start an upload, complete it, download a file or its thumbnail (302 redirects to
// presigned URLs of the object store: bytes never pass through files or the gateway).
import { Body, Controller, Get, HttpCode, Param, Post, Res, UseGuards } from '@nestjs/common';
import { type Response } from 'express';
import { type CreateFileRequest, CreateFileRequestSchema, type FileMeta, IdSchema } from '@chat/contracts';
import { AuthGuard, type AuthenticatedUser, CurrentUser } from '@chat/auth-client';
import { ZodValidationPipe } from '@chat/service-kit';
import { DownloadsService } from './downloads/downloads.service';
import { type StartedUpload, UploadsService } from './uploads/uploads.service';

@Controller('api/files')
@UseGuards(AuthGuard)
export class FilesController {
  constructor(
    private readonly uploads: UploadsService,
    private readonly downloads: DownloadsService,
  ) {}

  @Post()
  @HttpCode(201)
  start(
    @CurrentUser() caller: AuthenticatedUser,
    @Body(new ZodValidationPipe(CreateFileRequestSchema)) body: CreateFileRequest,
  ): Promise<StartedUpload> {
    return this.uploads.start(caller.id, body);
  }

  @Post(':id/complete')
  @HttpCode(200)
  async complete(@CurrentUser() caller: AuthenticatedUser, @Param('id', new ZodValidationPipe(IdSchema)) fileId: string): Promise<{ file: FileMeta }> {
    return { file: await this.uploads.complete(caller.id, fileId) };
  }

  @Get(':id')
  async download(
    @CurrentUser() caller: AuthenticatedUser,
    @Param('id', new ZodValidationPipe(IdSchema)) fileId: string,
    @Res() response: Response,
  ): Promise<void> {
    redirect(response, await this.downloads.fileUrl(caller.id, fileId));
  }

  @Get(':id/thumbnail')
  async thumbnail(
    @CurrentUser() caller: AuthenticatedUser,
    @Param('id', new ZodValidationPipe(IdSchema)) fileId: string,
    @Res() response: Response,
  ): Promise<void> {
    redirect(response, await this.downloads.thumbnailUrl(caller.id, fileId));
  }
}

/** A 302 that no cache keeps: the URL it points to expires and is the caller's alone. */
function redirect(response: Response, url: string): void {
  response.status(302).setHeader('Location', url).setHeader('Cache-Control', 'private, no-store').end();
}
