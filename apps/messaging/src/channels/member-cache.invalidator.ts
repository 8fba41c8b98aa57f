// Forgets cached memberships (MemberCache) when any messaging process announces a leave on
// chat.channel.membership.v1. A broadcast consumer: every process sees every event.
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { ChannelMembershipTopic } from '@chat/contracts';
import { BusConsumers, type RecordOf } from '@chat/kafka';
import { APP_CONFIG } from '@chat/service-kit';
import { type MessagingConfig } from '../config';
import { MemberCache } from './member-cache';

@Injectable()
export class MemberCacheInvalidator implements OnApplicationBootstrap {
  constructor(
    private readonly consumers: BusConsumers,
    private readonly cache: MemberCache,
    @Inject(APP_CONFIG) private readonly config: MessagingConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.MEMBER_CACHE_TTL_MS === 0) return;
    await this.consumers.consume({
      groupId: `${this.config.MESSAGING_CONSUMER_GROUP}.member-cache`,
      topics: [ChannelMembershipTopic],
      broadcast: true,
      handler: (record) => this.onChange(record),
    });
  }

  onChange(record: Pick<RecordOf<typeof ChannelMembershipTopic>, 'value'>): Promise<void> {
    const { change, channel, userId } = record.value;
    if (change === 'left') this.cache.forget(channel.id, userId);
    return Promise.resolve();
  }
}
