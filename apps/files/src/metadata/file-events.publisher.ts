// Everything files tells the rest of the system: a file's life (chat.file.changed.v1, key file id).
import { Injectable } from '@nestjs/common';
import { FileChangedTopic } from '@chat/contracts';
import { BusProducer } from '@chat/kafka';
import { Clock } from '../common/clock';
import { type FileRecord } from './files.repository';

@Injectable()
export class FileEventsPublisher {
  constructor(
    private readonly producer: BusProducer,
    private readonly clock: Clock,
  ) {}

  async changed(file: FileRecord, status: 'pending' | 'ready' | 'deleted'): Promise<void> {
    await this.producer.publish(FileChangedTopic, file.id, {
      file: {
        id: file.id,
        ownerId: file.ownerId,
        name: file.name,
        contentType: file.contentType,
        size: file.size,
        status,
        hasThumbnail: file.thumbnail !== null,
      },
      changedAt: this.clock.now().toISOString(),
    });
  }

  async changedMany(files: readonly FileRecord[], status: 'deleted'): Promise<void> {
    await Promise.all(files.map((file) => this.changed(file, status)));
  }
}
