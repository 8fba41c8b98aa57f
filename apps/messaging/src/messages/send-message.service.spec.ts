import { type Channel, type ChannelCommand, type Message } from '@chat/contracts';
import { type SendCommand } from './send-message.service';
import { type Messaging, testId, wire } from '../testing/fakes';

const alice = { id: testId(1, 'aaaaaaaa'), username: 'alice' };
const bob = { id: testId(2, 'bbbbbbbb'), username: 'bob' };
const carol = { id: testId(3, 'cccccccc'), username: 'carol' };
const replyTo = { gatewayId: 'gateway-1', requestId: 'r1' };

let commandCounter = 0;
function sendCommand(channelId: string, overrides: Partial<SendCommand['payload']> & { userId?: string; replyTo?: SendCommand['replyTo'] | null } = {}): SendCommand {
  commandCounter += 1;
  const { userId, replyTo: reply, ...payload } = overrides;
  return {
    type: 'message.send',
    commandId: testId(commandCounter, 'c0c0c0c0'),
    userId: userId ?? alice.id,
    issuedAt: '2025-01-01T00:00:00.000Z',
    ...(reply === null ? {} : { replyTo: reply ?? replyTo }),
    payload: { channelId, clientMsgId: testId(commandCounter, 'd0d0d0d0'), text: `hello ${commandCounter}`, ...payload },
  };
}

async function setup(bucketSize = 10): Promise<{ m: Messaging; general: Channel; workspaceId: string }> {
  const m = wire({ bucketSize });
  const workspace = await m.workspaces.create(alice, 'acme');
  const general = await m.channels.findNamed(workspace.id, 'general');
  if (!general) throw new Error('no #general');
  m.fakes.events.events.length = 0;
  return { m, general, workspaceId: workspace.id };
}

function foreign(channelId: string, seq: number, id = testId(900 + seq, 'eeeeeeee')): Message {
  return {
    id,
    channelId,
    seq,
    senderId: bob.id,
    clientMsgId: testId(900 + seq, 'ffffffff'),
    text: `written by someone else at ${seq}`,
    createdAt: '2025-01-01T00:00:00.000Z',
  };
}

function expectGapFree(messages: Message[]): void {
  expect(messages.map((x) => x.seq)).toEqual(messages.map((_, i) => i + 1));
  expect(new Set(messages.map((x) => x.id)).size).toBe(messages.length);
}

describe('SendMessageService (through ChannelCommandService)', () => {
  it('stores sends with seqs 1..N, announcing each and replying ok with the stored message', async () => {
    const { m, general } = await setup();
    for (let i = 0; i < 25; i++) await m.commands.handle(sendCommand(general.id));

    const stored = m.fakes.messages.all(general.id);
    expect(stored).toHaveLength(25);
    expectGapFree(stored);
    expect(m.fakes.events.of('message.created').map((e) => e.message.seq)).toEqual(stored.map((x) => x.seq));
    const replies = m.fakes.events.of('reply');
    expect(replies).toHaveLength(25);
    expect(replies.every((r) => r.result.ok && r.replyTo.gatewayId === 'gateway-1')).toBe(true);
    expect(replies[24].result).toEqual({ ok: true, message: stored[24] });
    // Finalized: claim, hint and by-id index all point at the seq.
    const last = stored[24];
    expect(m.fakes.clientMsgs.claims.get(`${general.id}/${last.clientMsgId}`)?.seq).toBe(25);
    expect(await m.fakes.heads.hint(general.id)).toBe(25);
    expect(m.fakes.messages.byId.get(last.id)).toEqual({ channelId: general.id, seq: 25 });
  });

  it('answers a duplicate clientMsgId (another command) with the first message and announces nothing new', async () => {
    const { m, general } = await setup();
    const first = sendCommand(general.id, { text: 'once' });
    await m.commands.handle(first);
    const again = { ...sendCommand(general.id, { text: 'twice?' }), payload: { ...first.payload, text: 'twice?' } };
    await m.commands.handle(again);

    expect(m.fakes.messages.all(general.id)).toHaveLength(1);
    expect(m.fakes.events.of('message.created')).toHaveLength(1);
    const [r1, r2] = m.fakes.events.of('reply');
    expect(r2.commandId).toBe(again.commandId);
    expect(r2.result).toEqual(r1.result);
    expect(r2.result).toMatchObject({ ok: true, message: { seq: 1, text: 'once' } });
  });

  it('re-announces the same seq when the same command is redelivered after it completed', async () => {
    const { m, general } = await setup();
    const command = sendCommand(general.id);
    await m.commands.handle(command);
    await m.commands.handle(command);

    expect(m.fakes.messages.all(general.id)).toHaveLength(1);
    const created = m.fakes.events.of('message.created');
    expect(created.map((e) => e.message.seq)).toEqual([1, 1]);
    expect(created[1].message).toEqual(created[0].message);
  });

  it('completes a send that crashed after writing the message (claim without seq) without a second row', async () => {
    const { m, general } = await setup();
    await m.commands.handle(sendCommand(general.id));
    const command = sendCommand(general.id, { text: 'crashed midway' });
    const x = testId(77, '77777777');
    // The first attempt claimed (base seq 1), wrote its message at seq 2, and died before step 4;
    // meanwhile another writer stored seq 3.
    m.fakes.clientMsgs.claims.set(`${general.id}/${command.payload.clientMsgId}`, { messageId: x, baseSeq: 1, commandId: command.commandId, seq: null });
    const written: Message = { id: x, channelId: general.id, seq: 2, senderId: alice.id, clientMsgId: command.payload.clientMsgId, text: 'crashed midway', createdAt: '2024-12-31T23:59:59.000Z' };
    m.fakes.messages.put(written);
    m.fakes.messages.put(foreign(general.id, 3));
    m.heads.forget(general.id);
    m.fakes.events.events.length = 0;

    await m.commands.handle(command);

    const stored = m.fakes.messages.all(general.id);
    expect(stored).toHaveLength(3);
    expectGapFree(stored);
    expect(m.fakes.events.of('message.created').map((e) => e.message)).toEqual([written]);
    expect(m.fakes.events.of('reply')[0].result).toEqual({ ok: true, message: written });
    expect(m.fakes.clientMsgs.claims.get(`${general.id}/${command.payload.clientMsgId}`)?.seq).toBe(2);
    expect(m.fakes.messages.byId.get(x)).toEqual({ channelId: general.id, seq: 2 });
  });

  it('writes the adopted message id when an earlier attempt died after claiming, before writing', async () => {
    const { m, general } = await setup();
    const command = sendCommand(general.id);
    const x = testId(78, '78787878');
    m.fakes.clientMsgs.claims.set(`${general.id}/${command.payload.clientMsgId}`, { messageId: x, baseSeq: 0, commandId: command.commandId, seq: null });

    await m.commands.handle(command);

    const stored = m.fakes.messages.all(general.id);
    expect(stored.map((s) => [s.seq, s.id])).toEqual([[1, x]]);
    expect(m.fakes.events.of('message.created')).toHaveLength(1);
  });

  it('takes the next seq when a zombie wins the seq it was about to write', async () => {
    const { m, general } = await setup();
    await m.commands.handle(sendCommand(general.id));
    await m.commands.handle(sendCommand(general.id));
    let zombieWrote = false;
    m.fakes.messages.beforeInsert = (_partition, seq) => {
      if (!zombieWrote && seq === 3) {
        zombieWrote = true;
        m.fakes.messages.put(foreign(general.id, 3));
      }
    };

    await m.commands.handle(sendCommand(general.id, { text: 'mine' }));

    const stored = m.fakes.messages.all(general.id);
    expectGapFree(stored);
    expect(stored.map((s) => s.text)).toEqual(['hello ' + String(commandCounter - 2), 'hello ' + String(commandCounter - 1), 'written by someone else at 3', 'mine']);
    expect(m.fakes.events.of('reply').at(-1)!.result).toMatchObject({ ok: true, message: { seq: 4, text: 'mine' } });
    expect(m.fakes.messages.inserts).toBe(4);
  });

  it('treats a lost seq that holds its own message (another runner of the same command won) as written', async () => {
    const { m, general } = await setup();
    const command = sendCommand(general.id);
    m.fakes.messages.beforeInsert = (_partition, seq) => {
      const claim = m.fakes.clientMsgs.claims.get(`${general.id}/${command.payload.clientMsgId}`)!;
      m.fakes.messages.put({ ...foreign(general.id, seq, claim.messageId), text: 'the twin wrote it' });
      m.fakes.messages.beforeInsert = undefined;
    };

    await m.commands.handle(command);

    const stored = m.fakes.messages.all(general.id);
    expect(stored).toHaveLength(1);
    expect(m.fakes.events.of('reply')[0].result).toMatchObject({ ok: true, message: { seq: 1, text: 'the twin wrote it' } });
  });

  it('catches up with seqs written by another process behind a stale cache, scanning them before writing', async () => {
    const { m, general } = await setup(4);
    await m.commands.handle(sendCommand(general.id));
    await m.commands.handle(sendCommand(general.id));
    // Another instance owned the channel for a while: seqs 3..9 (across buckets 0, 1 and 2), hint left at 3.
    for (let seq = 3; seq <= 9; seq++) m.fakes.messages.put(foreign(general.id, seq));
    await m.fakes.heads.advance(general.id, 3);

    await m.commands.handle(sendCommand(general.id, { text: 'after the gap' }));

    const stored = m.fakes.messages.all(general.id);
    expectGapFree(stored);
    expect(stored.at(-1)).toMatchObject({ seq: 10, text: 'after the gap' });
  });

  it('finds the head of a channel from storage across full buckets', async () => {
    const { m, general } = await setup(5);
    for (let i = 0; i < 17; i++) await m.commands.handle(sendCommand(general.id));
    m.heads.forget(general.id);
    m.fakes.heads.hints.clear();
    expect(await m.heads.last(general.id)).toBe(17);
    m.heads.forget(general.id);
    await m.fakes.heads.advance(general.id, 9);
    expect(await m.heads.last(general.id)).toBe(17);
  });

  describe('membership', () => {
    it('answers not_found for an unknown channel and stores nothing', async () => {
      const { m } = await setup();
      const command = sendCommand(testId(404, '40404040'));
      await m.commands.handle(command);
      expect(m.fakes.events.of('reply')[0].result).toMatchObject({ ok: false, error: { code: 'not_found' } });
      expect(m.fakes.events.of('message.created')).toHaveLength(0);
      expect(m.fakes.clientMsgs.claims.size).toBe(0);
    });

    it('answers not_found for a private channel the sender is not in, forbidden for a public one', async () => {
      const { m, general, workspaceId } = await setup();
      await m.fakes.users.upsert({ id: bob.id, username: 'bob', displayName: 'Bob', createdAt: '2025-01-01T00:00:00.000Z' });
      await m.workspaces.addMember(alice, workspaceId, { userId: bob.id });
      const secret = await m.channels.create(alice, workspaceId, { name: 'secret', private: true });
      const open = await m.channels.create(alice, workspaceId, { name: 'open' });

      await m.commands.handle(sendCommand(secret.id, { userId: bob.id }));
      await m.commands.handle(sendCommand(open.id, { userId: bob.id }));
      await m.commands.handle(sendCommand(general.id, { userId: carol.id })); // not even in the workspace

      expect(m.fakes.events.of('reply').map((r) => (r.result.ok ? 'ok' : r.result.error.code))).toEqual(['not_found', 'forbidden', 'not_found']);
      expect(m.fakes.messages.all(secret.id)).toHaveLength(0);
      expect(m.fakes.messages.all(open.id)).toHaveLength(0);
      expect(m.fakes.events.of('message.created')).toHaveLength(0);
    });
  });

  it('publishes no reply for a command without replyTo', async () => {
    const { m, general } = await setup();
    await m.commands.handle(sendCommand(general.id, { replyTo: null }));
    expect(m.fakes.events.of('reply')).toHaveLength(0);
    expect(m.fakes.events.of('message.created')).toHaveLength(1);
  });

  it('propagates storage failures so the consumer retries, and the retry completes the send once', async () => {
    const { m, general } = await setup();
    const command = sendCommand(general.id);
    const setSeq = m.fakes.clientMsgs.setSeq.bind(m.fakes.clientMsgs);
    m.fakes.clientMsgs.setSeq = () => Promise.reject(new Error('write timeout'));
    await expect(m.commands.handle(command)).rejects.toThrow('write timeout');
    expect(m.fakes.events.events).toHaveLength(0);

    m.fakes.clientMsgs.setSeq = setSeq;
    m.heads.forget(general.id);
    await m.commands.handle(command);
    expect(m.fakes.messages.all(general.id)).toHaveLength(1);
    expect(m.fakes.events.of('message.created')).toHaveLength(1);
    expect(m.fakes.events.of('reply')[0].result).toMatchObject({ ok: true, message: { seq: 1 } });
  });
});

describe('ChannelCommandService: other commands', () => {
  const base = { commandId: testId(1, '12121212'), userId: alice.id, issuedAt: '2025-01-01T00:00:00.000Z', replyTo };

  // What the changes do is covered against Cassandra in message-features.int-spec.ts; here: the
  // dispatch, and a refusal of the changes becoming an {ok:false} reply with nothing announced.
  it.each(['message.edit', 'message.delete', 'reaction.add', 'reaction.remove'] as const)('routes %s to the message changes and answers their refusal', async (type) => {
    const { m, general } = await setup();
    const payload = { channelId: general.id, messageId: testId(5), text: 'x', emoji: '👍' };
    await m.commands.handle({ ...base, type, payload });
    expect(m.fakes.events.of('reply')[0].result).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(m.fakes.events.of('message.updated')).toEqual([]);
  });

  it('moves the read marker forward only, capped at the last seq, announcing each move', async () => {
    const { m, general } = await setup();
    for (let i = 0; i < 5; i++) await m.commands.handle(sendCommand(general.id, { replyTo: null }));
    const read = (seq: number): ChannelCommand => ({ ...base, type: 'read', payload: { channelId: general.id, seq } });

    await m.commands.handle(read(3));
    await m.commands.handle(read(2));
    await m.commands.handle(read(99));

    expect(m.fakes.events.of('read').map((e) => e.moved)).toEqual([
      { userId: alice.id, channelId: general.id, seq: 3 },
      { userId: alice.id, channelId: general.id, seq: 5 },
    ]);
    expect(await m.fakes.markers.get(alice.id, general.id)).toBe(5);
    expect(m.fakes.events.of('reply').map((r) => r.result)).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
  });

  it('refuses a read marker in a channel the user is not in', async () => {
    const { m, general } = await setup();
    await m.commands.handle({ ...base, userId: carol.id, type: 'read', payload: { channelId: general.id, seq: 1 } });
    expect(m.fakes.events.of('reply')[0].result).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(m.fakes.events.of('read')).toHaveLength(0);
  });
});
