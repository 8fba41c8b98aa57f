// Everything messaging tells the rest of the system goes through here, one method per event, each
// to its contract topic with the key the contract names.
import { Injectable } from '@nestjs/common';
import {
  type Channel,
  ChannelMembershipTopic,
  type CommandReply,
  CommandReplyTopic,
  type Message,
  MessageUpdatedTopic,
  type ReadMarkerMoved,
  ReadMarkerTopic,
  type ReplyTo,
} from '@chat/contracts';
import { BusProducer } from '@chat/kafka';

export type CommandResult = CommandReply['result'];

@Injectable()
export class EventsPublisher {
  constructor(private readonly producer: BusProducer) {}

  /** Edits, deletes, reactions and reply counts; in order, keyed by channel like the commands. */
  async messageUpdated(message: Message): Promise<void> {
    await this.producer.publish(MessageUpdatedTopic, message.channelId, { message });
  }

  async reply(replyTo: ReplyTo, commandId: string, result: CommandResult): Promise<void> {
    await this.producer.publish(CommandReplyTopic, replyTo.gatewayId, { replyTo, commandId, result });
  }

  async membershipChanged(channel: Channel, userId: string, change: 'joined' | 'left'): Promise<void> {
    await this.producer.publish(ChannelMembershipTopic, channel.id, { channel, userId, change });
  }

  async readMarkerMoved(moved: ReadMarkerMoved): Promise<void> {
    await this.producer.publish(ReadMarkerTopic, moved.userId, moved);
  }
}
