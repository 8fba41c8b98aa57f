import { type Channel, ChannelMembershipTopic, type Message, MessageCreatedTopic, MessageUpdatedTopic, ReadMarkerTopic, type ServerToClientEvents, type TopicDefinition, type TopicValue } from '@chat/contracts';
import { type ConsumedRecord, type RecordOf } from '@chat/kafka';
import { type LocalRooms } from '../socket/socket.server';
import { Delivery, type DeliveryTopic } from './delivery.service';
import { SeqDeduplicator } from './seq-dedup';

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

function record<T extends TopicDefinition>(definition: T, value: TopicValue<T>): RecordOf<DeliveryTopic> {
  const consumed: ConsumedRecord<T> = { topic: definition.name, definition, partition: 0, offset: '0', key: null, value, headers: {}, timestamp: 0 };
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
  const outcomes: string[] = [];
  const settled: [string, unknown][] = [];
  const acks = {
    gatewayId: GATEWAY,
    settle: (requestId: string, result: unknown) => {
      settled.push([requestId, result]);
      return true;
    },
  };
  const delivery = new Delivery(rooms, new SeqDeduplicator(100), acks, (_topic, outcome) => outcomes.push(outcome));
  return { rooms, delivery, outcomes, settled };
}

describe('Delivery', () => {
  it('emits message:new to the channel room, once per seq', async () => {
    const { rooms, delivery, outcomes } = setup();
    await delivery.handle(record(MessageCreatedTopic, { message: message(1) }));
    await delivery.handle(record(MessageCreatedTopic, { message: message(2) }));
    await delivery.handle(record(MessageCreatedTopic, { message: message(2) }));
    await delivery.handle(record(MessageCreatedTopic, { message: message(1) }));
    expect(rooms.emitted).toEqual([
      [`ch:${CHANNEL}`, 'message:new', message(1)],
      [`ch:${CHANNEL}`, 'message:new', message(2)],
    ]);
    expect(outcomes).toEqual(['delivered', 'delivered', 'duplicate', 'duplicate']);
  });

  it('settles the sender\'s ack from the stored message\'s event, repeats included, only on the gateway it names', async () => {
    const { rooms, delivery, settled } = setup();
    await delivery.handle(record(MessageCreatedTopic, { message: message(1), replyTo: { gatewayId: GATEWAY, requestId: 'r1' } }));
    await delivery.handle(record(MessageCreatedTopic, { message: message(1), replyTo: { gatewayId: GATEWAY, requestId: 'r2' } }));
    await delivery.handle(record(MessageCreatedTopic, { message: message(2), replyTo: { gatewayId: 'gateway-2', requestId: 'r3' } }));
    expect(settled).toEqual([
      ['r1', { ok: true, message: message(1) }],
      ['r2', { ok: true, message: message(1) }],
    ]);
    expect(rooms.emitted.map(([, , m]) => (m as Message).seq)).toEqual([1, 2]);
  });

  it('emits message:updated to the channel room, repeats included', async () => {
    const { rooms, delivery } = setup();
    const edited = { ...message(1), text: 'edited', editedAt: '2026-01-01T00:01:00.000Z' };
    await delivery.handle(record(MessageUpdatedTopic, { message: edited }));
    await delivery.handle(record(MessageUpdatedTopic, { message: edited }));
    expect(rooms.emitted).toEqual([
      [`ch:${CHANNEL}`, 'message:updated', edited],
      [`ch:${CHANNEL}`, 'message:updated', edited],
    ]);
  });

  it('moves the user\'s sockets into and out of the channel room and tells every device', async () => {
    const { rooms, delivery } = setup();
    await delivery.handle(record(ChannelMembershipTopic, { userId: USER, channel, change: 'joined' }));
    await delivery.handle(record(ChannelMembershipTopic, { userId: USER, channel, change: 'left' }));
    expect(rooms.moves).toEqual([`join ${USER} ${CHANNEL}`, `leave ${USER} ${CHANNEL}`]);
    expect(rooms.emitted).toEqual([
      [`user:${USER}`, 'channel:joined', { channel }],
      [`user:${USER}`, 'channel:left', { channel }],
    ]);
  });

  it('sends read markers to the user\'s own devices', async () => {
    const { rooms, delivery } = setup();
    await delivery.handle(record(ReadMarkerTopic, { userId: USER, channelId: CHANNEL, seq: 9 }));
    expect(rooms.emitted).toEqual([[`user:${USER}`, 'read', { channelId: CHANNEL, seq: 9 }]]);
  });

  it('never throws, even when emitting fails', async () => {
    const { rooms, delivery, outcomes } = setup();
    rooms.emit = () => {
      throw new Error('adapter exploded');
    };
    await expect(delivery.handle(record(MessageCreatedTopic, { message: message(1) }))).resolves.toBeUndefined();
    expect(outcomes).toEqual(['failed']);
  });
});
