// chat.file.shared.v1: one record per file of a stored message (key file id), which is how files
// learns that the channel's members may download it; and one `revoked` record per file of a
// deleted message, which takes that right away again.
import { Injectable } from '@nestjs/common';
import { FileSharedTopic, type Message } from '@chat/contracts';
import { BusProducer } from '@chat/kafka';

@Injectable()
export class FileSharesPublisher {
  constructor(private readonly producer: BusProducer) {}

  shared(message: Message): Promise<void> {
    return this.publish(message, 'shared');
  }

  /** The message (as it was before its deletion, files included) no longer shares its files. */
  revoked(message: Message): Promise<void> {
    return this.publish(message, 'revoked');
  }

  private async publish(message: Message, change: 'shared' | 'revoked'): Promise<void> {
    if (!message.files?.length) return;
    await this.producer.publishBatch(
      FileSharedTopic,
      message.files.map((file) => ({
        key: file.id,
        value: { fileId: file.id, channelId: message.channelId, messageId: message.id, sharedBy: message.senderId, sharedAt: message.createdAt, change },
      })),
    );
  }
}
