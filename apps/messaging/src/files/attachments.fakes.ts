// In-memory fakes of the attachments adapters, for unit specs (see testing/fakes.ts).
import { type FileChangedEvent, type Message } from '@chat/contracts';
import { type AttachableFile, type AttachableFilesRepository } from './attachable-files.repository';
import { type FileSharesPublisher } from './file-shares.publisher';

type Public<T> = { [K in keyof T]: T[K] };

export class FakeAttachableFilesRepository implements Public<AttachableFilesRepository> {
  readonly rows = new Map<string, AttachableFile>();

  apply(file: FileChangedEvent['file']): Promise<void> {
    if (file.status === 'deleted') this.rows.delete(file.id);
    else this.rows.set(file.id, { id: file.id, ownerId: file.ownerId, name: file.name, contentType: file.contentType, size: file.size, status: file.status, hasThumbnail: file.hasThumbnail });
    return Promise.resolve();
  }

  get(id: string): Promise<AttachableFile | undefined> {
    return Promise.resolve(this.rows.get(id));
  }
}

export class FakeFileSharesPublisher implements Public<FileSharesPublisher> {
  readonly announced: Message[] = [];
  readonly revocations: Message[] = [];

  shared(message: Message): Promise<void> {
    if (message.files?.length) this.announced.push(message);
    return Promise.resolve();
  }

  revoked(message: Message): Promise<void> {
    if (message.files?.length) this.revocations.push(message);
    return Promise.resolve();
  }
}
