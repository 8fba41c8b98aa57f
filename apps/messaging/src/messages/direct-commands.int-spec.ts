// The direct hop's receiving end against real Cassandra and Kafka, through a real Socket.IO client:
// nobody without COMMAND_HOP_SECRET can hand messaging a send (it would carry any user id); the
// owner announces itself in its marker and store reports; it takes a send only under its own
// epoch, and that send is sequenced, stored, delivered and acknowledged exactly as one from the
// bus; a malformed one is answered `invalid`.
import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { ChannelCommandTopic, type ChannelSummary, DIRECT_COMMANDS_NAMESPACE, MAX_DIRECT_SENDS, DIRECT_SENDS_EVENT, type DirectSendAnswer, type HistoryResponse, type Workspace } from '@chat/contracts';
import { partitionOf } from '@chat/kafka';
import { waitFor } from '@chat/testing';
import request from 'supertest';
import { MessagingSpec, sendCommand, type TestUser } from '../testing/messaging-test-app';

jest.setTimeout(120_000);

const SECRET = randomUUID() + randomUUID();

describe('the direct hop of sends (DirectCommandsEndpoint)', () => {
  let spec: MessagingSpec;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    spec = await MessagingSpec.start({ COMMAND_HOP_SECRET: SECRET });
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await spec?.stop();
  });

  /** Connects with `secret`; resolves with the socket, or with the connection error's message. */
  function connect(secret: string | undefined): Promise<{ socket: Socket; error?: string }> {
    const socket = io(`${spec.messaging.url}${DIRECT_COMMANDS_NAMESPACE}`, { transports: ['websocket'], reconnection: false, ...(secret === undefined ? {} : { auth: { secret } }) });
    sockets.push(socket);
    return new Promise((resolve) => {
      socket.once('connect', () => resolve({ socket }));
      socket.once('connect_error', (error) => resolve({ socket, error: error.message }));
    });
  }

  async function channelOf(owner: TestUser): Promise<string> {
    const api = request(spec.messaging.url);
    const created = await api.post('/api/workspaces').set('Authorization', spec.users.bearer(owner)).send({ name: `ws ${randomUUID().slice(0, 6)}` }).expect(201);
    const { workspace } = created.body as { workspace: Workspace };
    const listed = await api.get(`/api/workspaces/${workspace.id}/channels`).set('Authorization', spec.users.bearer(owner)).expect(200);
    const general = (listed.body as { channels: ChannelSummary[] }).channels.find((c) => c.name === 'general');
    if (!general) throw new Error('no #general');
    return general.id;
  }

  it('refuses a connection without the secret or with another one', async () => {
    expect((await connect(undefined)).error).toBe('unauthorized');
    expect((await connect('x'.repeat(SECRET.length))).error).toBe('unauthorized');
    expect((await connect(SECRET.slice(1))).error).toBe('unauthorized');
  });

  it('takes a send only under the owner\'s epoch; it is stored and acknowledged as a send of the bus would be', async () => {
    const alice = await spec.users.create('alice');
    const channelId = await channelOf(alice);
    const partition = partitionOf(channelId, ChannelCommandTopic.partitions);
    const owner = await waitFor('the owner of the partition to be announced', () => spec.observer.owners.get(partition), 60_000);
    expect(owner.address).toBe(spec.messaging.url);
    const { socket, error } = await connect(SECRET);
    expect(error).toBeUndefined();
    const gatewayId = `gw-${randomUUID()}`;

    const stale = sendCommand(alice, channelId, 'under a stale epoch', { gatewayId });
    const hand = (sends: unknown): Promise<unknown> => socket.timeout(5_000).emitWithAck(DIRECT_SENDS_EVENT, sends);
    expect(await hand([{ epoch: owner.epoch + 1, command: stale }])).toEqual([{ accepted: false, reason: 'not_owner' }] satisfies DirectSendAnswer[]);
    // A malformed send is answered `invalid` on its own; a malformed frame, with no answers.
    expect(await hand([{ epoch: owner.epoch, command: { ...stale, type: 'message.edit' } }, 'not an object'])).toEqual([
      { accepted: false, reason: 'invalid' },
      { accepted: false, reason: 'invalid' },
    ]);
    expect(await hand('not a list')).toEqual([]);
    expect(await hand(Array.from({ length: MAX_DIRECT_SENDS + 1 }, () => ({ epoch: owner.epoch, command: stale })))).toEqual([]);

    // Three sends in one frame, in order.
    const sends = ['one', 'two', 'three'].map((text) => sendCommand(alice, channelId, text, { gatewayId }));
    expect(await hand(sends.map((command) => ({ epoch: owner.epoch, command })))).toEqual(sends.map(() => ({ accepted: true })));
    const acked = await waitFor('the three acknowledgements', () => {
      const found = sends.map((c) => spec.observer.replies.find((r) => r.commandId === c.commandId));
      return found.every((r) => r !== undefined) ? found : undefined;
    });
    expect(acked.map((r) => (r?.result.ok ? [r.result.message?.seq, r.result.message?.text] : r?.result))).toEqual([
      [1, 'one'],
      [2, 'two'],
      [3, 'three'],
    ]);
    // The same clientMsgId again, directly: the first message, not a second one.
    const again = { ...sendCommand(alice, channelId, 'other text', { gatewayId, clientMsgId: sends[0]?.payload.clientMsgId }) };
    expect(await hand([{ epoch: owner.epoch, command: again }])).toEqual([{ accepted: true }]);
    const answer = await waitFor('the duplicate\'s answer', () => spec.observer.replies.find((r) => r.commandId === again.commandId));
    expect(answer.result).toMatchObject({ ok: true, message: { seq: 1, text: 'one' } });

    const history = await request(spec.messaging.url).get(`/api/channels/${channelId}/messages`).set('Authorization', spec.users.bearer(alice)).expect(200);
    expect((history.body as HistoryResponse).messages.map((m) => m.text)).toEqual(['three', 'two', 'one']);
    // The stale-epoch send was never sequenced.
    expect(spec.observer.created.filter((m) => m.channelId === channelId).map((m) => m.text)).toEqual(['one', 'two', 'three']);
  });
});
