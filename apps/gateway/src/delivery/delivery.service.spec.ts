import {
  type Channel,
  ChannelMembershipTopic,
  type Message,
  MessageSequencedTopic,
  MessageStoredTopic,
  MessageUpdatedTopic,
  ReadMarkerTopic,
  type ServerToClientEvents,
  type TopicDefinition,
  type TopicValue,
} from '@chat/contracts';
import { type ConsumedRecord, type RecordOf } from '@chat/kafka';
import { MetricsService } from '@chat/service-kit';
import { PartitionOwners } from '../commands/partition-owners';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import { type LocalRooms } from '../socket/socket.server';
import { Delivery, type DeliveryTopic } from './delivery.service';

const USER = '0b9b5f5e-4d8e-4a4b-9a51-2f6c1c0e7d10';
const CHANNEL = '7b0c7a4e-1c9b-4a57-9a8c-3f0f2a9d6c11';
const WORKSPACE = '3e4f1c2a-5b6d-4e7f-8a9b-0c1d2e3f4a5b';

const message = (seq: number): Message => ({
  id: `5d1b2c3a-4e5f-4a6b-8c7d-${String(seq).padStart(12, '0')}`,
  channelId: CHANNEL,
  seq,
  senderId: USER,
  clientMsgId: '9a0e1f3c-2b4d-4c6e-8f10-1a2b3c4d5e6f',
  text: `message ${seq}`,
  createdAt: '2026-01-01T00:00:00.000Z',
});
const channel: Channel = { id: CHANNEL, workspaceId: WORKSPACE, kind: 'public', name: 'general', private: false, createdBy: USER, createdAt: '2026-01-01T00:00:00.000Z' };

function record<T extends TopicDefinition>(definition: T, value: TopicValue<T>, offset = 0): RecordOf<DeliveryTopic> {
  const consumed: ConsumedRecord<T> = { topic: definition.name, definition, partition: 0, offset: String(offset), key: null, value, headers: {}, timestamp: 0 };
  return consumed as unknown as RecordOf<DeliveryTopic>;
}

class FakeRooms implements LocalRooms {
  readonly emitted: [string, keyof ServerToClientEvents, unknown][] = [];
  readonly moves: string[] = [];
  emit<E extends keyof ServerToClientEvents>(room: string, event: E, ...args: Parameters<ServerToClientEvents[E]>): void {
    this.emitted.push([room, event, args[0]]);
  }
  joinChannel(userId: string, c: Channel): void {
    this.moves.push(`join ${userId} ${c.id}`);
  }
  leaveChannel(userId: string, c: Channel): void {
    this.moves.push(`leave ${userId} ${c.id}`);
  }
}

const GATEWAY = 'gateway-1';

function setup() {
  const rooms = new FakeRooms();
  const settled: [string, unknown][] = [];
  const acks = {
    settle: (requestId: string, result: unknown) => {
      settled.push([requestId, result]);
      return true;
    },
  };
  const metrics = new GatewayMetrics(new MetricsService());
  const counted = jest.spyOn(metrics.kafkaEvents, 'inc');
  const owners = new PartitionOwners();
  const delivery = new Delivery({ SEQ_DEDUP_CHANNELS: 100 }, { instanceId: GATEWAY }, rooms, acks, metrics, owners);
  /** The outcomes counted in gateway_delivery_events_total, in order. */
  const outcomes = () => counted.mock.calls.map(([labels]) => (labels as { outcome: string }).outcome);
  return { rooms, delivery, outcomes, settled, owners };
}

describe('Delivery', () => {
  const send = (seq: number, offset: number, replyTo?: { gatewayId: string; requestId: string }) =>
    record(MessageSequencedTopic, { kind: 'send', epoch: 1, message: message(seq), ...(replyTo ? { replyTo } : {}) }, offset);
  const stored = (storedBelow: number, refused: number[] = []) =>
    record(MessageStoredTopic, { progress: [{ partition: 0, storedBelow: String(storedBelow), epoch: 1, ...(refused.length ? { refused: refused.map(String) } : {}) }] });

  it('learns each partition\'s owner from epoch markers and store reports, the highest epoch winning', async () => {
    const { delivery, owners } = setup();
    await delivery.handleAll([record(MessageSequencedTopic, { kind: 'epoch', epoch: 3, owner: 'messaging-a', address: 'http://10.0.0.1:3002' }, 5)]);
    expect(owners.ownerOf(0)).toEqual({ epoch: 3, address: 'http://10.0.0.1:3002' });
    // A deposed owner's late report changes nothing; a later epoch's does.
    await delivery.handleAll([record(MessageStoredTopic, { progress: [{ partition: 0, storedBelow: '6', epoch: 2, owner: { epoch: 2, address: 'http://10.0.0.9:3002' } }] })]);
    expect(owners.ownerOf(0)).toEqual({ epoch: 3, address: 'http://10.0.0.1:3002' });
    await delivery.handleAll([record(MessageStoredTopic, { progress: [{ partition: 0, storedBelow: '7', epoch: 4, owner: { epoch: 4, address: 'http://10.0.0.2:3002' } }] })]);
    expect(owners.ownerOf(0)).toEqual({ epoch: 4, address: 'http://10.0.0.2:3002' });
  });

  it('holds the log until a store report covers where it started, then emits message:new once per seq, at once', async () => {
    const { rooms, delivery, outcomes } = setup();
    await delivery.handleAll([send(1, 10)]);
    expect(rooms.emitted).toEqual([]);
    await delivery.handleAll([stored(11)]);
    await delivery.handleAll([send(2, 11)]);
    await delivery.handleAll([send(2, 12)]);
    await delivery.handleAll([send(1, 13)]);
    expect(rooms.emitted).toEqual([
      [`ch:${CHANNEL}`, 'message:new', message(1)],
      [`ch:${CHANNEL}`, 'message:new', message(2)],
    ]);
    expect(outcomes()).toEqual(['held', 'delivered', 'delivered', 'held', 'held']);
  });

  it('delivers a partition\'s records handed over together in their order, as one at a time would', async () => {
    const { rooms, delivery, outcomes } = setup();
    await delivery.handleAll([send(1, 10)]);
    await delivery.handleAll([stored(11)]);
    await delivery.handleAll([send(2, 11), send(2, 12), send(3, 13)]);
    expect(rooms.emitted).toEqual([1, 2, 3].map((seq) => [`ch:${CHANNEL}`, 'message:new', message(seq)]));
    expect(outcomes()).toEqual(['held', 'delivered', 'delivered', 'held', 'delivered']);
  });

  it('settles the sender\'s ack once the store reports its record stored, only on the gateway it names, never when refused', async () => {
    const { delivery, settled } = setup();
    await delivery.handleAll([send(1, 0, { gatewayId: GATEWAY, requestId: 'r1' })]);
    expect(settled).toEqual([]);
    await delivery.handleAll([stored(1)]);
    expect(settled).toEqual([['r1', { ok: true, message: message(1) }]]);
    await delivery.handleAll([send(2, 1, { gatewayId: GATEWAY, requestId: 'r2' })]);
    await delivery.handleAll([send(3, 2, { gatewayId: 'gateway-2', requestId: 'r3' })]);
    await delivery.handleAll([send(3, 3, { gatewayId: GATEWAY, requestId: 'r4' })]);
    expect(settled).toHaveLength(1);
    await delivery.handleAll([stored(4, [3])]);
    expect(settled).toEqual([
      ['r1', { ok: true, message: message(1) }],
      ['r2', { ok: true, message: message(2) }],
    ]);
  });

  it('emits message:updated to the channel room, repeats included', async () => {
    const { rooms, delivery } = setup();
    const edited = { ...message(1), text: 'edited', editedAt: '2026-01-01T00:01:00.000Z' };
    await delivery.handleAll([record(MessageUpdatedTopic, { message: edited })]);
    await delivery.handleAll([record(MessageUpdatedTopic, { message: edited })]);
    expect(rooms.emitted).toEqual([
      [`ch:${CHANNEL}`, 'message:updated', edited],
      [`ch:${CHANNEL}`, 'message:updated', edited],
    ]);
  });

  it('moves the user\'s sockets into and out of the channel room and tells every device', async () => {
    const { rooms, delivery } = setup();
    await delivery.handleAll([record(ChannelMembershipTopic, { userId: USER, channel, change: 'joined' })]);
    await delivery.handleAll([record(ChannelMembershipTopic, { userId: USER, channel, change: 'left' })]);
    expect(rooms.moves).toEqual([`join ${USER} ${CHANNEL}`, `leave ${USER} ${CHANNEL}`]);
    expect(rooms.emitted).toEqual([
      [`user:${USER}`, 'channel:joined', { channel }],
      [`user:${USER}`, 'channel:left', { channel }],
    ]);
  });

  it('sends read markers to the user\'s own devices', async () => {
    const { rooms, delivery } = setup();
    await delivery.handleAll([record(ReadMarkerTopic, { userId: USER, channelId: CHANNEL, seq: 9 })]);
    expect(rooms.emitted).toEqual([[`user:${USER}`, 'read', { channelId: CHANNEL, seq: 9 }]]);
  });

  it('never throws, even when emitting fails', async () => {
    const { rooms, delivery, outcomes } = setup();
    rooms.emit = () => {
      throw new Error('adapter exploded');
    };
    await delivery.handleAll([send(1, 0)]);
    await expect(delivery.handleAll([stored(1)])).resolves.toBeUndefined();
    expect(outcomes()).toEqual(['held', 'failed']);
  });
});
