// Projects chat.file.changed.v1 into attachable_files (group `<MESSAGING_CONSUMER_GROUP>.files`).
// Events of a file share its partition, so its pending → ready | deleted changes apply in order.
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { FileChangedTopic } from '@chat/contracts';
import { type ConsumerHandle, BusConsumers } from '@chat/kafka';
import { APP_CONFIG } from '@chat/service-kit';
import { type MessagingConfig } from '../config';
import { AttachableFilesRepository } from './attachable-files.repository';

@Injectable()
export class FileChangedConsumer implements OnApplicationBootstrap {
  private handle: ConsumerHandle | undefined;

  constructor(
    private readonly consumers: BusConsumers,
    private readonly files: AttachableFilesRepository,
    @Inject(APP_CONFIG) private readonly config: MessagingConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.handle = await this.consumers.consume({
      groupId: `${this.config.MESSAGING_CONSUMER_GROUP}.files`,
      topics: [FileChangedTopic],
      fromBeginning: this.config.MESSAGING_CONSUME_FROM_BEGINNING,
      partitionsConsumedConcurrently: FileChangedTopic.partitions,
      handler: (record) => this.files.apply(record.value.file),
    });
  }

  ready(): Promise<void> {
    return this.handle ? this.handle.ready : Promise.reject(new Error('the file.changed consumer has not started'));
  }
}
