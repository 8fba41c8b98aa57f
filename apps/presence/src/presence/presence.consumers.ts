// presence's consumer groups: the signals (gateways' reports and the sweeper's, applied per user)
// and the workspace projection, from chat.workspace.membership.v1 (joins and leaves) and from
// chat.channel.membership.v1 (every `joined` names the channel's workspace: memberships from
// before the workspace topic existed). The two topics are not ordered relative to each other, so
// the projection keeps the latest change per user and workspace by event time (Kafka's record
// timestamp for channel joins). All batch: one batch of a partition costs a fixed number of Redis
// round trips.
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ChannelMembershipTopic, PresenceSignalTopic, WorkspaceMembershipTopic } from '@chat/contracts';
import { type ConsumerHandle, BusConsumers } from '@chat/kafka';
import { APP_CONFIG } from '@chat/service-kit';
import { type PresenceConfig } from '../config';
import { PresenceSignals } from './presence-signals.service';
import { PresenceRepository } from './presence.repository';
import { PresenceSweeper } from './presence.sweeper';

@Injectable()
export class PresenceConsumers implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly handles: ConsumerHandle[] = [];

  constructor(
    private readonly consumers: BusConsumers,
    private readonly signals: PresenceSignals,
    private readonly repository: PresenceRepository,
    private readonly sweeper: PresenceSweeper,
    @Inject(APP_CONFIG) private readonly config: PresenceConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const group = this.config.PRESENCE_CONSUMER_GROUP;
    this.handles.push(
      await this.consumers.consume({
        groupId: `${group}.memberships`,
        topics: [ChannelMembershipTopic],
        fromBeginning: this.config.PRESENCE_CONSUME_FROM_BEGINNING,
        partitionsConsumedConcurrently: ChannelMembershipTopic.partitions,
        batchHandler: (records) =>
          this.repository.applyWorkspaceChanges(
            records
              .filter((r) => r.value.change === 'joined')
              .map((r) => ({ userId: r.value.userId, workspaceId: r.value.channel.workspaceId, change: 'joined' as const, at: r.timestamp })),
          ),
      }),
      await this.consumers.consume({
        groupId: `${group}.workspaces`,
        topics: [WorkspaceMembershipTopic],
        fromBeginning: this.config.PRESENCE_CONSUME_FROM_BEGINNING,
        partitionsConsumedConcurrently: WorkspaceMembershipTopic.partitions,
        batchHandler: (records) =>
          this.repository.applyWorkspaceChanges(
            records.map(({ value }) => ({ userId: value.userId, workspaceId: value.workspaceId, change: value.change, at: Date.parse(value.changedAt) })),
          ),
      }),
      await this.consumers.consume({
        groupId: `${group}.signals`,
        topics: [PresenceSignalTopic],
        partitionsConsumedConcurrently: PresenceSignalTopic.partitions,
        batchHandler: (records) => this.signals.apply(records.map((r) => r.value)),
      }),
    );
    this.sweeper.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sweeper.stop();
  }
}
