// Kafka events to the local sockets that should see them. Every gateway instance consumes every
// event (broadcast consumers) and emits to its own rooms; an instance without a socket in the room
// does nothing. `message:new` comes straight from the sequencer's log (chat.message.sequenced.v1),
// behind the epoch and seq fence every reader of that log applies (SequencedReader of
// @chat/contracts), side by side with the store that writes it to Cassandra. A send is
// acknowledged later, once the store reports it stored (chat.message.stored.v1): the instance
// named in its replyTo settles the sender's pending acknowledgement with the message. Handlers
// never throw: a bad event is logged and skipped, never retried.
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  type ChannelMembershipChanged,
  ChannelMembershipTopic,
  type CommandReply,
  type MessageEvent,
  MessageSequencedTopic,
  MessageStoredTopic,
  MessageUpdatedTopic,
  type ReadMarkerMoved,
  ReadMarkerTopic,
  type ReaderOutput,
  SequencedReader,
  type TopicDefinition,
} from '@chat/contracts';
import { type ConsumedRecord, type RecordOf } from '@chat/kafka';
import { APP_CONFIG, SERVICE_IDENTITY, type ServiceIdentity } from '@chat/service-kit';
import { PartitionOwners } from '../commands/partition-owners';
import { PendingAcks } from '../commands/pending-acks';
import { type GatewayConfig } from '../config';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import { channelRoom, userRoom } from '../socket/rooms';
import { type LocalRooms, SocketServer } from '../socket/socket.server';
import { observeHops } from './message-hops';

export const DELIVERY_TOPICS = [MessageSequencedTopic, MessageStoredTopic, MessageUpdatedTopic, ChannelMembershipTopic, ReadMarkerTopic] as const;
export type DeliveryTopic = (typeof DELIVERY_TOPICS)[number];

export type DeliveryOutcome = 'delivered' | 'held' | 'failed';

function isRecordOf<T extends TopicDefinition>(record: ConsumedRecord, definition: T): record is ConsumedRecord<T> {
  return record.definition === definition;
}

/** The pending acknowledgements of this gateway instance. */
export interface AckSettler {
  settle(requestId: string, result: CommandReply['result']): boolean;
}

@Injectable()
export class Delivery {
  private readonly logger = new Logger('Delivery');
  /** Reads the sequenced log and the store's reports; its `mine` names this instance's acks. */
  private readonly reader: SequencedReader;

  constructor(
    /** SEQ_DEDUP_CHANNELS: the channels whose last seq the reader remembers. */
    @Inject(APP_CONFIG) config: Pick<GatewayConfig, 'SEQ_DEDUP_CHANNELS'>,
    @Inject(SERVICE_IDENTITY) identity: Pick<ServiceIdentity, 'instanceId'>,
    @Inject(SocketServer) private readonly rooms: LocalRooms,
    @Inject(PendingAcks) private readonly acks: AckSettler,
    @Inject(GatewayMetrics) private readonly metrics: Pick<GatewayMetrics, 'kafkaEvents' | 'messageHops'>,
    /** Learns each partition's owner from the markers and reports read here (the direct hop's routes). */
    @Inject(PartitionOwners) private readonly owners: Pick<PartitionOwners, 'learn'>,
  ) {
    const gatewayId = identity.instanceId;
    this.reader = new SequencedReader({ maxChannels: config.SEQ_DEDUP_CHANNELS, mine: (replyTo) => replyTo.gatewayId === gatewayId });
  }

  /** The consumer's handler: a partition's records at a time, in offset order. */
  readonly handleAll = (records: readonly RecordOf<DeliveryTopic>[]): Promise<void> => {
    for (const record of records) this.deliver(record);
    return Promise.resolve();
  };

  private deliver(record: RecordOf<DeliveryTopic>): void {
    let outcome: DeliveryOutcome;
    try {
      outcome = this.dispatch(record);
    } catch (error) {
      this.logger.error({ err: error, topic: record.topic, offset: record.offset }, 'could not deliver an event');
      outcome = 'failed';
    }
    this.metrics.kafkaEvents.inc({ topic: record.topic, outcome });
    // The trace headers and Kafka timestamp of every sequenced record delivered at once (hop metrics).
    if (outcome === 'delivered' && record.definition === MessageSequencedTopic) observeHops(this.metrics.messageHops, record.headers, record.timestamp);
  }

  /** Emits what the reader released and settles this instance's acknowledgements. */
  private release({ deliver, acks }: ReaderOutput): DeliveryOutcome {
    for (const message of deliver) this.rooms.emit(channelRoom(message.channelId), 'message:new', message);
    for (const { replyTo, message } of acks) this.acks.settle(replyTo.requestId, { ok: true, message });
    return deliver.length > 0 || acks.length > 0 ? 'delivered' : 'held';
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
    if (isRecordOf(any, MessageSequencedTopic)) {
      const { value } = any;
      if (value.kind === 'epoch' && value.address) this.owners.learn(any.partition, { epoch: value.epoch, address: value.address });
      return this.release(this.reader.sequenced(any.partition, any.offset, value));
    }
    if (isRecordOf(any, MessageStoredTopic)) {
      let outcome: DeliveryOutcome = 'held';
      for (const progress of any.value.progress) {
        if (progress.owner) this.owners.learn(progress.partition, progress.owner);
        if (this.release(this.reader.stored(progress)) === 'delivered') outcome = 'delivered';
      }
      return outcome;
    }
    if (isRecordOf(any, MessageUpdatedTopic)) return this.messageUpdated(any.value);
    if (isRecordOf(any, ChannelMembershipTopic)) return this.membershipChanged(any.value);
    if (isRecordOf(any, ReadMarkerTopic)) return this.readMarkerMoved(any.value);
    throw new Error(`no delivery for topic ${record.topic}`);
  }
}
