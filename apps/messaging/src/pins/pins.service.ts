// Pins: any member of a channel may pin or unpin one of its live messages; pinning twice keeps the
// first pin. Deleting a message unpins it (edits/message-changes.service.ts).
import { Injectable } from '@nestjs/common';
import { type Message, type Pin } from '@chat/contracts';
import { AppError } from '@chat/service-kit';
import { type AuthenticatedUser } from '@chat/auth-client';
import { ChannelAccess } from '../channels/channel-access.service';
import { Clock } from '../common/clock';
import { MessageLocator, notFound } from '../edits/message-locator';
import { MessageBuckets } from '../messages/message-buckets';
import { MessagesRepository } from '../messages/messages.repository';
import { PinsRepository } from './pins.repository';

@Injectable()
export class PinsService {
  constructor(
    private readonly pins: PinsRepository,
    private readonly locator: MessageLocator,
    private readonly access: ChannelAccess,
    private readonly messages: MessagesRepository,
    private readonly buckets: MessageBuckets,
    private readonly clock: Clock,
  ) {}

  async pin(caller: AuthenticatedUser, channelId: string, messageId: string): Promise<Pin> {
    const { message } = await this.locator.forMember(channelId, messageId, caller.id);
    if (message.deleted) throw notFound(messageId);
    const pin = await this.pins.pin(channelId, { messageId, seq: message.seq, pinnedBy: caller.id, pinnedAt: this.clock.now().toISOString() });
    return { message, pinnedBy: pin.pinnedBy, pinnedAt: pin.pinnedAt };
  }

  async unpin(caller: AuthenticatedUser, channelId: string, messageId: string): Promise<void> {
    await this.access.membership(channelId, caller.id);
    if (!(await this.pins.get(channelId, messageId))) throw new AppError('not_found', `message ${messageId} is not pinned`);
    await this.pins.unpin(channelId, messageId);
  }

  /** Newest pin first. */
  async list(caller: AuthenticatedUser, channelId: string): Promise<Pin[]> {
    await this.access.membership(channelId, caller.id);
    const rows = await this.pins.ofChannel(channelId);
    const messages = await Promise.all(rows.map((p) => this.messages.get({ channelId, bucket: this.buckets.of(p.seq) }, p.seq)));
    return rows
      .flatMap((p, i) => {
        const message: Message | undefined = messages[i];
        return message && !message.deleted ? [{ message, pinnedBy: p.pinnedBy, pinnedAt: p.pinnedAt }] : [];
      })
      .sort((a, b) => b.pinnedAt.localeCompare(a.pinnedAt) || b.message.seq - a.message.seq);
  }
}
