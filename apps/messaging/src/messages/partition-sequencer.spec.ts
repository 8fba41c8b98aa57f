// PartitionSequencer on fakes of its I/O. Its memory bound: a quiet channel is forgotten and read back
// from the stored rows (same next seq, same duplicates); a channel with a command in flight or a
// seq not yet stored is never forgotten; the channels in memory (and the store progress followed)
// stay bounded over ten times the limit. And its isolation (issue 14, item 2): a non-member is
// refused before any before-store step can wait for them, and a send waiting in one (a file not
// completed yet) holds only its own channel. The fake log stores each send at once (as this
// process's store would) unless told to hold them.
import { type ChannelCommand, type ChannelCommandTopic, type Message, type SequencedRecord } from '@chat/contracts';
import { type PartitionOutbox, type RecordOf } from '@chat/kafka';
import { type Logger } from '@nestjs/common';
import { AppError } from '@chat/service-kit';
import { type ChannelAccess } from '../channels/channel-access.service';
import { FakeChannelHeadsRepository, FakeMessagesRepository, FixedClock, testId } from '../testing/fakes';
import { type SendSteps } from '../pipeline/send-steps';
import { type ChangeCommand } from './channel-command.service';
import { ChannelHeads } from './channel-heads';
import { type ChannelHeadsRepository } from './channel-heads.repository';
import { MessageBuckets } from './message-buckets';
import { type MessagesRepository } from './messages.repository';
import { type PartitionEpochsRepository } from './partition-epochs.repository';
import { PartitionSequencer } from './partition-sequencer';
import { StoreProgress } from './store-progress';

const USER = testId(9_999, 'aaaaaaaa');
const channel = (n: number): string => testId(n, 'cccccccc');
const clientMsgId = (n: number): string => testId(n, 'dddddddd');

interface Overrides {
  /** ChannelAccess.membership: resolves for a member, throws AppError('forbidden') otherwise. */
  membership?: (channelId: string, userId: string) => Promise<unknown>;
  /** SendSteps.prepare: the before-store steps (the files' step may wait for a file). */
  prepare?: (input: { channelId: string; fileIds?: string[] }) => Promise<unknown>;
}

function setup(maxChannels: number, overrides: Overrides = {}) {
  const buckets = new MessageBuckets(10);
  const rows = new FakeMessagesRepository(buckets);
  const hints = new FakeChannelHeadsRepository();
  /** Reads of each channel's head: one per time the sequencer read the channel from Cassandra. */
  const reads = new Map<string, number>();
  const headHints = {
    hint: (channelId: string) => {
      reads.set(channelId, (reads.get(channelId) ?? 0) + 1);
      return hints.hint(channelId);
    },
    advance: (channelId: string, seq: number) => hints.advance(channelId, seq),
  };
  const heads = new ChannelHeads(headHints as unknown as ChannelHeadsRepository, rows as unknown as MessagesRepository, buckets, { CHANNEL_HEAD_CACHE_SIZE: 1_000 });
  const progress = new StoreProgress();
  const log: SequencedRecord[] = [];
  const held: Message[] = [];
  /** Channels whose sends the store does not store until `storeHeld`. */
  const holding = new Set<string>();
  const store = (message: Message): void => {
    void rows.storeAll({ channelId: message.channelId, bucket: buckets.of(message.seq) }, [message]);
    void hints.advance(message.channelId, buckets.firstSeqOf(buckets.of(message.seq)));
    heads.observe(message.channelId, message.seq);
    progress.stored(message.channelId, message.seq);
  };
  const outbox = {
    push: ({ value }: { value: SequencedRecord }) => {
      log.push(value);
      if (value.kind === 'epoch') progress.epochApplied(0, value.epoch);
      if (value.kind === 'send') {
        if (holding.has(value.message.channelId)) held.push(value.message);
        else store(value.message);
      }
      return Promise.resolve();
    },
    close: () => undefined,
  };
  /** Membership checks that wait until the test lets them through, per channel. */
  const gates = new Map<string, Promise<void>>();
  const changes: ChangeCommand[] = [];
  const replies: { commandId: string; result: unknown }[] = [];
  const owning: number[] = [];
  const sequencer = new PartitionSequencer(0, {
    owner: 'me',
    address: () => 'http://127.0.0.1:3002',
    owning: (epoch: number) => owning.push(epoch),
    epochs: { claim: () => Promise.resolve(1) } as unknown as PartitionEpochsRepository,
    log: outbox as unknown as PartitionOutbox<never>,
    progress,
    access: { membership: overrides.membership ?? ((channelId: string) => gates.get(channelId) ?? Promise.resolve()) } as unknown as ChannelAccess,
    steps: { prepare: overrides.prepare ?? (() => Promise.resolve(undefined)) } as unknown as SendSteps,
    heads,
    messages: rows as unknown as MessagesRepository,
    buckets,
    clock: new FixedClock(),
    reply: (_replyTo: unknown, commandId: string, result: unknown) => {
      replies.push({ commandId, result });
      return Promise.resolve();
    },
    change: (command: ChangeCommand) => {
      changes.push(command);
      return Promise.resolve();
    },
    logger: { warn: () => undefined, error: () => undefined, log: () => undefined } as unknown as Logger,
    maxChannels,
  });

  let offset = 0;
  const take = (command: ChannelCommand): Promise<void> =>
    sequencer.take({ topic: 'chat.channel.command.v1', partition: 0, offset: String(offset++), key: command.payload.channelId, value: command, headers: {}, timestamp: 0 } as unknown as RecordOf<typeof ChannelCommandTopic>);
  const send = (channelId: string, id: string, from: { userId?: string; fileIds?: string[] } = {}): Promise<void> =>
    take({
      type: 'message.send',
      commandId: testId(offset + 1, 'eeeeeeee'),
      userId: from.userId ?? USER,
      issuedAt: '2025-01-01T00:00:00.000Z',
      replyTo: { gatewayId: 'gateway-1', requestId: id },
      payload: { channelId, clientMsgId: id, text: 'hi', ...(from.fileIds ? { fileIds: from.fileIds } : {}) },
    });
  /** What the log says of the channel's send or duplicate with this clientMsgId, last first. */
  const outcome = (channelId: string, id: string) => {
    const record = [...log].reverse().find((r) => (r.kind === 'send' ? r.message.channelId === channelId && r.message.clientMsgId === id : r.kind === 'duplicate' && r.channelId === channelId && r.clientMsgId === id));
    if (record?.kind === 'send') return { kind: 'send', seq: record.message.seq };
    if (record?.kind === 'duplicate') return { kind: 'duplicate', seq: record.seq };
    return undefined;
  };
  const direct = (channelId: string, id: string, epoch: number): boolean =>
    sequencer.submitDirect(
      { type: 'message.send', commandId: testId(offset++ + 1, 'eeeeeeee'), userId: USER, issuedAt: '2025-01-01T00:00:00.000Z', replyTo: { gatewayId: 'gateway-1', requestId: id }, payload: { channelId, clientMsgId: id, text: 'hi' } },
      epoch,
      {},
    );
  return {
    sequencer,
    log,
    owning,
    direct,
    progress,
    reads,
    changes,
    replies,
    take,
    send,
    outcome,
    gate(channelId: string): () => void {
      let open: () => void = () => undefined;
      gates.set(
        channelId,
        new Promise<void>((resolve) => (open = resolve)).then(() => void gates.delete(channelId)),
      );
      return () => open();
    },
    hold: (channelId: string) => holding.add(channelId),
    storeHeld: () => {
      holding.clear();
      for (const message of held.splice(0)) store(message);
    },
  };
}

/** Sends one message to each of channels from..to-1, one after another (each a quiet channel afterwards). */
async function flood(s: ReturnType<typeof setup>, from: number, to: number): Promise<number> {
  let most = 0;
  for (let n = from; n < to; n++) {
    await s.send(channel(n), clientMsgId(n));
    most = Math.max(most, s.sequencer.channelsInMemory);
  }
  return most;
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('PartitionSequencer memory', () => {
  it('forgets a quiet channel and reads it back from the stored rows: the same next seq, the same duplicates', async () => {
    const s = setup(4);
    const a = channel(1_000);
    await s.send(a, clientMsgId(1));
    await s.send(a, clientMsgId(2));
    expect(s.outcome(a, clientMsgId(2))).toEqual({ kind: 'send', seq: 2 });
    await flood(s, 0, 10);
    expect(s.reads.get(a)).toBe(1);
    expect(s.sequencer.channelsInMemory).toBe(4);

    await s.send(a, clientMsgId(3));
    expect(s.reads.get(a)).toBe(2); // read back
    expect(s.outcome(a, clientMsgId(3))).toEqual({ kind: 'send', seq: 3 });
    await flood(s, 10, 20);
    // A retry of a message sent before the channel was forgotten (twice now) is still recognised.
    await s.send(a, clientMsgId(1));
    expect(s.reads.get(a)).toBe(3);
    expect(s.outcome(a, clientMsgId(1))).toEqual({ kind: 'duplicate', seq: 1 });
  });

  it('an edit after the channel was forgotten waits for nothing it need not (the progress is read back too)', async () => {
    const s = setup(2);
    const a = channel(1_000);
    await s.send(a, clientMsgId(1));
    await flood(s, 0, 5);
    expect(s.progress.storedAt(a)).toBe(0); // forgotten with the sequence
    await s.take({ type: 'message.edit', commandId: testId(77, 'eeeeeeee'), userId: USER, issuedAt: '2025-01-01T00:00:00.000Z', payload: { channelId: a, messageId: testId(1), text: 'edited' } });
    expect(s.changes.map((c) => c.type)).toEqual(['message.edit']);
    expect(s.progress.storedAt(a)).toBe(1);
  });

  it('never forgets a channel with a command in flight', async () => {
    const s = setup(2);
    const a = channel(1_000);
    await s.send(a, clientMsgId(1));
    const open = s.gate(a);
    const second = s.send(a, clientMsgId(2)); // waits in its membership check: the channel is busy
    await flush();
    const most = await flood(s, 0, 20);
    expect(most).toBeLessThanOrEqual(3); // the limit, plus the busy channel
    open();
    await second;
    expect(s.reads.get(a)).toBe(1);
    expect(s.outcome(a, clientMsgId(2))).toEqual({ kind: 'send', seq: 2 });
  });

  it('never forgets a channel whose seqs are not all stored yet, and does once they are', async () => {
    const s = setup(2);
    const a = channel(1_000);
    s.hold(a);
    await s.send(a, clientMsgId(1)); // sequenced and appended; the store has not stored it yet
    const most = await flood(s, 0, 20);
    expect(most).toBeLessThanOrEqual(3);
    expect(s.reads.get(a)).toBe(1);
    // Read back from Cassandra now, `a` would hand out seq 1 a second time.
    await s.send(a, clientMsgId(2));
    expect(s.outcome(a, clientMsgId(2))).toEqual({ kind: 'send', seq: 2 });
    expect(s.reads.get(a)).toBe(1);
    // Stored now: the next channels push it out, and it comes back with the same next seq.
    s.storeHeld();
    await flood(s, 20, 30);
    await s.send(a, clientMsgId(3));
    expect(s.reads.get(a)).toBe(2);
    expect(s.outcome(a, clientMsgId(3))).toEqual({ kind: 'send', seq: 3 });
  });

  it('keeps memory bounded over ten times the limit of channels', async () => {
    const limit = 50;
    const s = setup(limit);
    const most = await flood(s, 0, 10 * limit);
    expect(most).toBeLessThanOrEqual(limit);
    expect(s.sequencer.channelsInMemory).toBe(limit);
    expect(s.progress.channels).toBe(limit);
  });

  it('forgets everything it followed when revoked', async () => {
    const s = setup(10);
    await flood(s, 0, 5);
    expect(s.progress.channels).toBe(5);
    s.sequencer.revoke();
    expect(s.sequencer.channelsInMemory).toBe(0);
    expect(s.progress.channels).toBe(0);
  });
});

describe('PartitionSequencer: nothing waits on behalf of a non-member, and no channel for another', () => {
  const STRANGER = testId(8_888, 'aaaaaaaa');

  it("refuses a non-member's send before any before-store step runs: its file ids are never waited for", async () => {
    const prepare = jest.fn(() => new Promise<never>(() => undefined));
    const s = setup(100, {
      membership: (_channelId, userId) => (userId === STRANGER ? Promise.reject(new AppError('forbidden', 'not a member')) : Promise.resolve()),
      prepare,
    });
    // Not awaited before the checks: a send that waited for its files would never finish.
    const refused = s.send(channel(1), clientMsgId(1), { userId: STRANGER, fileIds: [testId(1, 'ffffffff')] });
    await flush();
    expect(prepare).not.toHaveBeenCalled();
    expect(s.replies).toEqual([{ commandId: expect.any(String) as string, result: { ok: false, error: { code: 'forbidden', message: 'not a member' } } }]);
    expect(s.outcome(channel(1), clientMsgId(1))).toBeUndefined();
    await refused;
  });

  it("a send waiting in a before-store step (a file not completed yet) holds only its own channel", async () => {
    let fileArrives: () => void = () => undefined;
    const waiting = new Promise<void>((resolve) => (fileArrives = resolve));
    const s = setup(100, { prepare: ({ fileIds }) => (fileIds ? waiting.then(() => undefined) : Promise.resolve(undefined)) });
    const withFile = s.send(channel(1), clientMsgId(1), { fileIds: [testId(1, 'ffffffff')] });
    // Another channel of the same partition is sequenced while the first one waits (not awaited
    // before the check: behind the waiting channel it would never finish).
    const other = s.send(channel(2), clientMsgId(2));
    await flush();
    expect(s.outcome(channel(2), clientMsgId(2))).toEqual({ kind: 'send', seq: 1 });
    await other;
    expect(s.outcome(channel(1), clientMsgId(1))).toBeUndefined();
    // The waiting channel's own next send queues behind it, in order.
    const next = s.send(channel(1), clientMsgId(3));
    await flush();
    expect(s.outcome(channel(1), clientMsgId(3))).toBeUndefined();
    fileArrives();
    await Promise.all([withFile, next]);
    expect([s.outcome(channel(1), clientMsgId(1)), s.outcome(channel(1), clientMsgId(3))]).toEqual([
      { kind: 'send', seq: 1 },
      { kind: 'send', seq: 2 },
    ]);
  });
});

describe('PartitionSequencer direct hop', () => {
  it('announces its address in the marker and takes a direct send only under exactly its claimed epoch', async () => {
    const s = setup(10);
    const a = channel(1);
    // Before the claim returns nothing is taken: the gateway cannot know an epoch this sequencer holds.
    expect(s.direct(a, clientMsgId(1), 1)).toBe(false);
    await s.send(a, clientMsgId(2));
    expect(s.log[0]).toEqual({ kind: 'epoch', epoch: 1, owner: 'me', address: 'http://127.0.0.1:3002' });
    expect(s.owning).toEqual([1]);
    expect(s.direct(a, clientMsgId(3), 2)).toBe(false);
    expect(s.direct(a, clientMsgId(4), 1)).toBe(true);
    await s.send(a, clientMsgId(5));
    // The direct send is in the channel's order between the bus's sends; the refused ones left no trace.
    expect([2, 3, 4, 5].map((n) => s.outcome(a, clientMsgId(n)))).toEqual([{ kind: 'send', seq: 1 }, undefined, { kind: 'send', seq: 2 }, { kind: 'send', seq: 3 }]);
    // A send retried through the bus after the direct hop took it is answered as a duplicate.
    await s.send(a, clientMsgId(4));
    expect(s.outcome(a, clientMsgId(4))).toEqual({ kind: 'duplicate', seq: 2 });
    s.sequencer.revoke();
    expect(s.direct(a, clientMsgId(6), 1)).toBe(false);
  });
});
