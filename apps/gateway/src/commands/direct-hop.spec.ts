// DirectHop against a real Socket.IO server on loopback standing in for messaging's endpoint (it
// answers as the test tells it), with the bus faked: which route each send takes, and that every
// way the direct hop can fail (the owner refuses, a later epoch appears, the connection drops, a
// wrong secret) hands the sends to the bus in the order they were sent, the channel keeping one
// route while its sends are in flight.
import { createServer, type Server as HttpServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { ChannelCommandTopic, DIRECT_COMMANDS_NAMESPACE, DIRECT_SENDS_EVENT, type DirectSend, type DirectSendAnswer } from '@chat/contracts';
import { type BusProducer, partitionOf } from '@chat/kafka';
import { MetricsService } from '@chat/service-kit';
import { waitFor } from '@chat/testing';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import { ACK_TIMEOUT_MS, DirectHop, type SendCommand } from './direct-hop';
import { PartitionOwners } from './partition-owners';
import { PendingAcks } from './pending-acks';

const SECRET = 's'.repeat(40);
const CHANNEL_A = '0190aaaa-0000-7000-8000-000000000001';
const CHANNEL_B = '0190aaaa-0000-7000-8000-000000000002';

/** The stand-in's answer to each send; `hold` keeps it silent until released. */
type Answerer = (send: DirectSend) => DirectSendAnswer | 'hold';

async function standIn(answer: { current: Answerer }) {
  const http: HttpServer = createServer();
  const io = new Server(http, { transports: ['websocket'] });
  const received: DirectSend[] = [];
  /** Sends per frame received. */
  const frames: number[] = [];
  const held: (() => void)[] = [];
  io.of(DIRECT_COMMANDS_NAMESPACE)
    .use((socket, next) => ((socket.handshake.auth as { secret?: string }).secret === SECRET ? next() : next(new Error('unauthorized'))))
    .on('connection', (socket) =>
      socket.on(DIRECT_SENDS_EVENT, (sends: DirectSend[], ack: (a: DirectSendAnswer[]) => void) => {
        frames.push(sends.length);
        received.push(...sends);
        const answers = sends.map((send) => answer.current(send));
        if (answers.includes('hold')) held.push(() => ack(sends.map(() => ({ accepted: true }))));
        else ack(answers as DirectSendAnswer[]);
      }),
    );
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    address,
    received,
    frames,
    held,
    disconnectAll: () => io.of(DIRECT_COMMANDS_NAMESPACE).disconnectSockets(true),
    close: () => new Promise<void>((resolve) => void io.close(() => resolve())),
  };
}

function setup(secret: string = SECRET) {
  const bus: string[] = [];
  const producer = {
    publish: (_topic: unknown, _key: string, command: SendCommand) => {
      bus.push(command.payload.clientMsgId);
      return Promise.resolve({});
    },
  } as unknown as BusProducer;
  const owners = new PartitionOwners();
  const pending = new PendingAcks();
  const metrics = new GatewayMetrics(new MetricsService());
  const hop = new DirectHop(secret, owners, producer, pending, metrics);
  let n = 0;
  const send = (channelId: string, id: string): string => {
    const requestId = `r${++n}`;
    void hop.send(requestId, {
      type: 'message.send',
      commandId: `0190bbbb-0000-7000-8000-${String(n).padStart(12, '0')}`,
      userId: '0190cccc-0000-7000-8000-000000000001',
      issuedAt: '2026-01-01T00:00:00.000Z',
      replyTo: { gatewayId: 'gateway-1', requestId },
      payload: { channelId, clientMsgId: id, text: 'hi' },
    });
    return requestId;
  };
  return { hop, owners, bus, send, pending };
}

const partition = (channelId: string): number => partitionOf(channelId, ChannelCommandTopic.partitions);
const ids = (sends: DirectSend[]): string[] => sends.map((s) => s.command.payload.clientMsgId);

describe('DirectHop', () => {
  const answer: { current: Answerer } = { current: () => ({ accepted: true }) };
  let server: Awaited<ReturnType<typeof standIn>>;
  let s: ReturnType<typeof setup>;

  beforeEach(async () => {
    answer.current = () => ({ accepted: true });
    server = await standIn(answer);
    s = setup();
  });

  afterEach(async () => {
    s.hop.onModuleDestroy();
    s.pending.dropAll();
    await server.close();
  });

  /** Owned under epoch 1, the owner silent: a1 and a2 sent directly and unanswered. */
  async function twoUnanswered(): Promise<void> {
    await own(CHANNEL_A, 1);
    answer.current = () => 'hold';
    s.send(CHANNEL_A, 'a1');
    s.send(CHANNEL_A, 'a2');
    await waitFor('the owner to receive a1 and a2', () => server.received.length === 2, 5_000);
  }

  /** Announces the stand-in as the owner of the channel's partition under `epoch` and waits until connected. */
  async function own(channelId: string, epoch: number): Promise<void> {
    s.owners.learn(partition(channelId), { epoch, address: server.address });
    await waitFor('the direct hop to connect', () => (s.hop as unknown as { connections: Map<string, { connected: boolean }> }).connections.get(server.address)?.connected, 5_000);
  }

  it('sends through the bus until the owner is known, then directly under its epoch', async () => {
    s.send(CHANNEL_A, 'a1');
    expect(s.bus).toEqual(['a1']);
    s.hop.finished('r1');
    await own(CHANNEL_A, 3);
    s.send(CHANNEL_A, 'a2');
    await waitFor('the owner to receive a2', () => server.received.length === 1, 5_000);
    expect(server.received[0]).toMatchObject({ epoch: 3, command: { payload: { clientMsgId: 'a2' } } });
    expect(s.bus).toEqual(['a1']);
  });

  it('sends the direct sends of one turn of the event loop as one frame, in order', async () => {
    await own(CHANNEL_A, 1);
    for (const n of [1, 2, 3]) s.send(CHANNEL_A, `a${n}`);
    await waitFor('the owner to receive them', () => server.received.length === 3, 5_000);
    expect(server.frames).toEqual([3]);
    expect(ids(server.received)).toEqual(['a1', 'a2', 'a3']);
  });

  it('holds a flow\'s new sends while its earlier ones are on the bus, then sends them directly, in order', async () => {
    s.send(CHANNEL_A, 'a1');
    await own(CHANNEL_A, 1);
    s.send(CHANNEL_A, 'a2');
    s.send(CHANNEL_A, 'a3');
    // a2 and a3 could overtake a1 on the direct hop: they wait for the bus to answer a1.
    expect(s.bus).toEqual(['a1']);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.received).toEqual([]);
    s.hop.finished('r1');
    await waitFor('the owner to receive a2 and a3', () => server.received.length === 2, 5_000);
    expect(ids(server.received)).toEqual(['a2', 'a3']);
  });

  it('drops a held send whose socket went away; the flow goes on without it', async () => {
    s.send(CHANNEL_A, 'a1');
    await own(CHANNEL_A, 1);
    s.send(CHANNEL_A, 'a2');
    s.hop.finished('r2');
    s.hop.finished('r1');
    s.send(CHANNEL_A, 'a3');
    await waitFor('the owner to receive a3', () => server.received.length === 1, 5_000);
    expect(ids(server.received)).toEqual(['a3']);
    expect(s.bus).toEqual(['a1']);
  });

  it('moves every send of a refused route to the bus in the order sent, and does not use the route again until the owner changes', async () => {
    await twoUnanswered();
    answer.current = () => ({ accepted: false, reason: 'not_owner' });
    s.send(CHANNEL_A, 'a3');
    await waitFor('a refusal to move the route', () => s.bus.length === 3, 5_000);
    expect(s.bus).toEqual(['a1', 'a2', 'a3']);
    // The channel now goes through the bus, and so does a fresh channel of the same partition's failed route.
    s.send(CHANNEL_A, 'a4');
    expect(s.bus).toEqual(['a1', 'a2', 'a3', 'a4']);
    for (const r of ['r1', 'r2', 'r3', 'r4']) s.hop.finished(r);
    s.send(CHANNEL_A, 'a5');
    expect(s.bus.at(-1)).toBe('a5');
    s.hop.finished('r5');
    // A later epoch: the direct hop again.
    answer.current = () => ({ accepted: true });
    await own(CHANNEL_A, 2);
    s.send(CHANNEL_A, 'a6');
    await waitFor('the owner to receive a6', () => ids(server.received).includes('a6'), 5_000);
    expect(server.received.at(-1)?.epoch).toBe(2);
  });

  it('moves the sends of a partition to the bus when a later epoch is announced (the owner was replaced)', async () => {
    await twoUnanswered();
    s.owners.learn(partition(CHANNEL_A), { epoch: 2, address: server.address });
    expect(s.bus).toEqual(['a1', 'a2']);
    // The old owner answering late changes nothing; a new send waits for the bus, then goes to the new epoch.
    for (const release of server.held) release();
    answer.current = () => ({ accepted: true });
    s.send(CHANNEL_A, 'a3');
    expect(s.bus).toEqual(['a1', 'a2']);
    s.hop.finished('r1');
    s.hop.finished('r2');
    await waitFor('the owner to receive a3', () => ids(server.received).includes('a3'), 5_000);
    expect(server.received.at(-1)?.epoch).toBe(2);
  });

  it('moves the sends in flight on a connection that drops to the bus', async () => {
    await own(CHANNEL_A, 1);
    if (partition(CHANNEL_B) !== partition(CHANNEL_A)) s.owners.learn(partition(CHANNEL_B), { epoch: 1, address: server.address });
    answer.current = () => 'hold';
    s.send(CHANNEL_A, 'a1');
    s.send(CHANNEL_B, 'b1');
    s.send(CHANNEL_A, 'a2');
    await waitFor('the owner to receive all three', () => server.received.length === 3, 5_000);
    server.disconnectAll();
    await waitFor('the sends to move', () => s.bus.length === 3, 5_000);
    expect(s.bus).toEqual(['a1', 'b1', 'a2']);
  });

  it('moves the sends to the bus when the owner stays silent past the ack timeout (a stopped process)', async () => {
    await twoUnanswered();
    expect(s.bus).toEqual([]);
    await waitFor('the silence to move them', () => s.bus.length === 2, ACK_TIMEOUT_MS + 2_000);
    expect(s.bus).toEqual(['a1', 'a2']);
  });

  it('sends through the bus when the owner refuses its secret', async () => {
    s.hop.onModuleDestroy();
    s = setup('w'.repeat(40));
    s.owners.learn(partition(CHANNEL_A), { epoch: 1, address: server.address });
    await new Promise((resolve) => setTimeout(resolve, 300));
    s.send(CHANNEL_A, 'a1');
    expect(s.bus).toEqual(['a1']);
    expect(server.received).toEqual([]);
  });
});
