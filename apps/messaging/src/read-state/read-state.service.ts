// A user's read marker per channel: the highest seq they have read. It only moves forward, and
// never past the channel's last message; each move is announced (chat.read.moved.v1, key user id)
// so the user's other devices follow. `read` commands of one channel are processed in order by one
// consumer, and the storage write is a monotonic max anyway, so a replay can never move it back.
import { Injectable } from '@nestjs/common';
import { ChannelAccess } from '../channels/channel-access.service';
import { EventsPublisher } from '../common/events.publisher';
import { ChannelHeads } from '../messages/channel-heads';
import { ReadMarkersRepository } from './read-markers.repository';

@Injectable()
export class ReadStateService {
  constructor(
    private readonly access: ChannelAccess,
    private readonly markers: ReadMarkersRepository,
    private readonly heads: ChannelHeads,
    private readonly events: EventsPublisher,
  ) {}

  /** Moves the marker to `seq` (capped at the channel's last seq) if that is forward; returns the marker. */
  async markRead(userId: string, channelId: string, seq: number): Promise<number> {
    await this.access.membership(channelId, userId);
    const [last, current] = await Promise.all([this.heads.last(channelId), this.markers.get(userId, channelId)]);
    const target = Math.min(seq, last);
    if (target <= current) return current;
    await this.markers.advance(userId, channelId, target);
    await this.events.readMarkerMoved({ userId, channelId, seq: target });
    return target;
  }
}
