// The files' steps of the send pipeline: before a message is stored its fileIds resolve to the
// sender's ready files it carries; after, each attached file is announced on chat.file.shared.v1
// (files then lets the channel's members download it). Announcing twice is harmless.
import { Injectable } from '@nestjs/common';
import { type Message } from '@chat/contracts';
import { type AfterStoreStep, type BeforeStoreStep, type SendAdditions, type SendRequest } from '../pipeline/send-steps';
import { AttachmentsService } from './attachments.service';

@Injectable()
export class ResolveAttachmentsStep implements BeforeStoreStep {
  readonly name = 'resolve-attachments';

  constructor(private readonly attachments: AttachmentsService) {}

  async prepare(send: SendRequest): Promise<SendAdditions | undefined> {
    const files = await this.attachments.resolve(send.senderId, send.fileIds);
    return files.length > 0 ? { files } : undefined;
  }
}

@Injectable()
export class FileSharesStep implements AfterStoreStep {
  readonly name = 'file-shares';

  constructor(private readonly attachments: AttachmentsService) {}

  async apply(messages: readonly Message[]): Promise<void> {
    await Promise.all(messages.filter((m) => !m.deleted && m.files?.length).map((m) => this.attachments.announceShares(m)));
  }
}
