// Command replies are keyed by gateway id but read by every gateway instance (broadcast): each
// instance keeps the replies addressed to it and settles the matching pending acknowledgement.
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { type CommandReply, CommandReplyTopic } from '@chat/contracts';
import { BusConsumers } from '@chat/kafka';
import { SERVICE_IDENTITY, type ServiceIdentity } from '@chat/service-kit';
import { BroadcastSubscription } from '../kafka/broadcast-subscription';
import { PendingAcks } from './pending-acks';

/** Settles the pending request a reply names, when it is addressed to this instance. */
export function routeReply(reply: CommandReply, gatewayId: string, pending: Pick<PendingAcks, 'settle'>): 'settled' | 'other-instance' | 'unknown-request' {
  if (reply.replyTo.gatewayId !== gatewayId) return 'other-instance';
  return pending.settle(reply.replyTo.requestId, reply.result) ? 'settled' : 'unknown-request';
}

@Injectable()
export class RepliesConsumer implements OnApplicationBootstrap {
  private readonly logger = new Logger('Replies');
  private readonly subscription: BroadcastSubscription<typeof CommandReplyTopic>;

  constructor(
    consumers: BusConsumers,
    private readonly pending: PendingAcks,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
  ) {
    this.subscription = new BroadcastSubscription(
      {
        name: 'replies',
        topics: [CommandReplyTopic],
        partitionsConsumedConcurrently: CommandReplyTopic.partitions,
        handler: (record) => {
          const routed = routeReply(record.value, this.identity.instanceId, this.pending);
          // A timed-out or disconnected request: the client was already answered or is gone.
          if (routed === 'unknown-request') this.logger.debug(`late reply to ${record.value.replyTo.requestId} ignored`);
          return Promise.resolve();
        },
      },
      consumers,
    );
  }

  get ready(): boolean {
    return this.subscription.isReady;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.subscription.start();
  }
}
