// Kafka events to the local sockets that should see them. Every gateway instance consumes every
// event (broadcast consumers) and emits to its own rooms; an instance without a socket in the room
// does nothing. A message.created event also acknowledges its send: the instance named in its
// replyTo settles the sender's pending acknowledgement with the stored message (messaging
// publishes the event only once the message is in Cassandra). Handlers never throw: a bad event
// is logged and skipped, never retried.
import { Logger } from '@nestjs/common';
import {
  type ChannelMembershipChanged,
  ChannelMembershipTopic,
  type CommandReply,
  type MessageCreated,
  type MessageEvent,
  MessageCreatedTopic,
  MessageUpdatedTopic,
  type ReadMarkerMoved,
  ReadMarkerTopic,
  type TopicDefinition,
} from '@chat/contracts';
import { type ConsumedRecord, type RecordOf } from '@chat/kafka';
import { channelRoom, userRoom } from '../socket/rooms';
import { type LocalRooms } from '../socket/socket.server';
import { type SeqDeduplicator } from './seq-dedup';

export const DELIVERY_TOPICS = [MessageCreatedTopic, MessageUpdatedTopic, ChannelMembershipTopic, ReadMarkerTopic] as const;
export type DeliveryTopic = (typeof DELIVERY_TOPICS)[number];

export type DeliveryOutcome = 'delivered' | 'duplicate' | 'failed';

function isRecordOf<T extends TopicDefinition>(record: ConsumedRecord, definition: T): record is ConsumedRecord<T> {
  return record.definition === definition;
}

/** The pending acknowledgements of this gateway instance. */
export interface AckSettler {
  readonly gatewayId: string;
  settle(requestId: string, result: CommandReply['result']): boolean;
}

export class Delivery {
  private readonly logger = new Logger('Delivery');

  constructor(
    private readonly rooms: LocalRooms,
    private readonly dedup: SeqDeduplicator,
    private readonly acks: AckSettler,
    private readonly observe?: (topic: string, outcome: DeliveryOutcome) => void,
    /** Called with the trace headers and Kafka timestamp of every message.created record delivered (hop metrics). */
    private readonly traced?: (headers: Readonly<Record<string, string>>, sentAt: number) => void,
  ) {}

  /** The consumer's record handler. */
  readonly handle = (record: RecordOf<DeliveryTopic>): Promise<void> => {
    let outcome: DeliveryOutcome;
    try {
      outcome = this.dispatch(record);
    } catch (error) {
      this.logger.error({ err: error, topic: record.topic, offset: record.offset }, 'could not deliver an event');
      outcome = 'failed';
    }
    this.observe?.(record.topic, outcome);
    if (outcome === 'delivered' && record.definition === MessageCreatedTopic) this.traced?.(record.headers, record.timestamp);
    return Promise.resolve();
  };

  messageCreated({ message, replyTo }: MessageCreated): DeliveryOutcome {
    // A repeated event still settles the ack it names (a retried send is answered by a repeat).
    if (replyTo?.gatewayId === this.acks.gatewayId) this.acks.settle(replyTo.requestId, { ok: true, message });
    if (!this.dedup.admit(message.channelId, message.seq)) return 'duplicate';
    this.rooms.emit(channelRoom(message.channelId), 'message:new', message);
    return 'delivered';
  }

  messageUpdated({ message }: MessageEvent): DeliveryOutcome {
    // Updates keep their seq and replace the client's copy, so a repeat is harmless.
    this.rooms.emit(channelRoom(message.channelId), 'message:updated', message);
    return 'delivered';
  }

  membershipChanged({ userId, channel, change }: ChannelMembershipChanged): DeliveryOutcome {
    if (change === 'joined') {
      this.rooms.joinChannel(userId, channel);
      this.rooms.emit(userRoom(userId), 'channel:joined', { channel });
    } else {
      this.rooms.leaveChannel(userId, channel);
      this.rooms.emit(userRoom(userId), 'channel:left', { channel });
    }
    return 'delivered';
  }

  readMarkerMoved({ userId, channelId, seq }: ReadMarkerMoved): DeliveryOutcome {
    this.rooms.emit(userRoom(userId), 'read', { channelId, seq });
    return 'delivered';
  }

  private dispatch(record: RecordOf<DeliveryTopic>): DeliveryOutcome {
    const any = record as ConsumedRecord;
    if (isRecordOf(any, MessageCreatedTopic)) return this.messageCreated(any.value);
    if (isRecordOf(any, MessageUpdatedTopic)) return this.messageUpdated(any.value);
    if (isRecordOf(any, ChannelMembershipTopic)) return this.membershipChanged(any.value);
    if (isRecordOf(any, ReadMarkerTopic)) return this.readMarkerMoved(any.value);
    throw new Error(`no delivery for topic ${record.topic}`);
  }
}
