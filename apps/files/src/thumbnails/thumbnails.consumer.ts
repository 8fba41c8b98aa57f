// Thumbnails are made asynchronously: files consumes its own chat.file.changed.v1 (group
// `<FILES_CONSUMER_GROUP>.thumbnails`) and renders every ready image.
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { FileChangedTopic } from '@chat/contracts';
import { type ConsumerHandle, BusConsumers } from '@chat/kafka';
import { APP_CONFIG } from '@chat/service-kit';
import { type FilesConfig } from '../config';
import { ThumbnailService } from './thumbnail.service';

@Injectable()
export class ThumbnailsConsumer implements OnApplicationBootstrap {
  private handle: ConsumerHandle | undefined;

  constructor(
    private readonly consumers: BusConsumers,
    private readonly thumbnails: ThumbnailService,
    @Inject(APP_CONFIG) private readonly config: FilesConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.handle = await this.consumers.consume({
      groupId: `${this.config.FILES_CONSUMER_GROUP}.thumbnails`,
      topics: [FileChangedTopic],
      fromBeginning: true,
      // sharp uses its own threads; two images at a time keep a 2-core machine responsive.
      partitionsConsumedConcurrently: 2,
      handler: async ({ value }) => {
        if (value.file.status === 'ready' && value.file.hasThumbnail) await this.thumbnails.make(value.file.id);
      },
    });
  }

  ready(): Promise<void> {
    return this.handle ? this.handle.ready : Promise.reject(new Error('the thumbnails consumer has not started'));
  }
}
