// What files needs to authorise downloads without calling messaging, kept in its own database:
// the channels each file was shared in by a live message (chat.file.shared.v1, group `<group>.shares`;
// a `revoked` record, sent when the message is deleted, takes its share back) and the
// members of every channel (chat.channel.membership.v1, group `<group>.members`). Membership
// events of a channel share a partition, so joins and leaves are applied in their order; both
// projections are idempotent, so replays are harmless.
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { ChannelMembershipTopic, FileSharedTopic } from '@chat/contracts';
import { type ConsumerHandle, BusConsumers } from '@chat/kafka';
import { APP_CONFIG } from '@chat/service-kit';
import { type FilesConfig } from '../config';
import { AccessRepository } from '../metadata/access.repository';

@Injectable()
export class SharingConsumer implements OnApplicationBootstrap {
  private handles: ConsumerHandle[] = [];

  constructor(
    private readonly consumers: BusConsumers,
    private readonly access: AccessRepository,
    @Inject(APP_CONFIG) private readonly config: FilesConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const group = this.config.FILES_CONSUMER_GROUP;
    this.handles = await Promise.all([
      this.consumers.consume({
        groupId: `${group}.shares`,
        topics: [FileSharedTopic],
        fromBeginning: true,
        partitionsConsumedConcurrently: FileSharedTopic.partitions,
        handler: async ({ value }) => {
          if (value.change === 'revoked') await this.access.revoke(value.fileId, value.messageId);
          else await this.access.share({ ...value, sharedAt: new Date(value.sharedAt) });
        },
      }),
      this.consumers.consume({
        groupId: `${group}.members`,
        topics: [ChannelMembershipTopic],
        fromBeginning: true,
        partitionsConsumedConcurrently: ChannelMembershipTopic.partitions,
        handler: async ({ value }) => {
          if (value.change === 'joined') await this.access.memberJoined(value.channel.id, value.userId);
          else await this.access.memberLeft(value.channel.id, value.userId);
        },
      }),
    ]);
  }

  ready(): Promise<void> {
    return this.handles.length ? Promise.all(this.handles.map((h) => h.ready)).then(() => undefined) : Promise.reject(new Error('the sharing consumers have not started'));
  }
}
