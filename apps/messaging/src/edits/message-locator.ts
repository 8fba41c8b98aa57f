// Finds a message named by id inside the channel a command names, for a caller allowed to read
// the channel. A message of another channel, an unknown id and a channel the caller cannot see all
// answer not_found, so ids reveal nothing.
import { Injectable } from '@nestjs/common';
import { type Channel, type Message } from '@chat/contracts';
import { AppError } from '@chat/service-kit';
import { ChannelAccess, notFound as channelNotFound } from '../channels/channel-access.service';
import { ChannelsRepository } from '../channels/channels.repository';
import { MessageBuckets } from '../messages/message-buckets';
import { seqOfMessageId } from '../messages/message-ids';
import { MessagesRepository } from '../messages/messages.repository';
import { type MessageRow } from './message-updates.repository';

export interface LocatedMessage {
  channel: Channel;
  message: Message;
  row: MessageRow;
}

@Injectable()
export class MessageLocator {
  constructor(
    private readonly access: ChannelAccess,
    private readonly channels: ChannelsRepository,
    private readonly messages: MessagesRepository,
    private readonly buckets: MessageBuckets,
  ) {}

  /** The message, for a member of its channel (forbidden for a non-member of a visible public channel). */
  async forMember(channelId: string, messageId: string, userId: string): Promise<LocatedMessage> {
    const channel = await this.access.membership(channelId, userId);
    return { channel, ...(await this.inChannel(channelId, messageId)) };
  }

  /** The message, without any access check (the caller has done its own). */
  async inChannel(channelId: string, messageId: string): Promise<{ message: Message; row: MessageRow }> {
    // New ids carry their seq; older ones are found through the by-id index.
    const carried = seqOfMessageId(messageId);
    const location = carried !== undefined ? { channelId, seq: carried } : await this.messages.locate(messageId);
    if (!location || location.channelId !== channelId) throw notFound(messageId);
    const row = { channelId, bucket: this.buckets.of(location.seq), seq: location.seq };
    const message = await this.messages.get(row, location.seq);
    if (!message || message.id !== messageId) throw notFound(messageId);
    return { message, row };
  }

  async channelOf(channelId: string): Promise<Channel> {
    const channel = await this.channels.get(channelId);
    if (!channel) throw channelNotFound(channelId);
    return channel;
  }

  async reread(row: MessageRow): Promise<Message> {
    const message = await this.messages.get(row, row.seq);
    if (!message) throw new Error(`message ${row.channelId}#${row.seq} vanished`);
    return message;
  }
}

export function notFound(messageId: string): AppError {
  return new AppError('not_found', `message ${messageId} not found`);
}
