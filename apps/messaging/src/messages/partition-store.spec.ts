// PartitionStore on fakes of its I/O: what a flush writes, what it reports to the senders'
// gateways (storedBelow, refusals, answers to duplicates), and that a record is finished only once
// its report is out and its after-store steps are applied.
import { type Message, type SequencedRecord, type ReplyTo } from '@chat/contracts';
import { type RecordOf } from '@chat/kafka';
import { type Logger } from '@nestjs/common';
import { type ChannelHeads } from './channel-heads';
import { type ChannelHeadsRepository } from './channel-heads.repository';
import { MessageBuckets } from './message-buckets';
import { type MessagesRepository } from './messages.repository';
import { type PartitionEpochsRepository } from './partition-epochs.repository';
import { PartitionStore } from './partition-store';
import { type StoreReport } from './store-acks';
import { StoreProgress } from './store-progress';

const CH = '7b0c7a4e-1c9b-4a57-9a8c-3f0f2a9d6c11';
const gw = (requestId: string): ReplyTo => ({ gatewayId: 'gw', requestId });

function message(seq: number, text = `m${seq}`): Message {
  return { id: `5d1b2c3a-4e5f-4a6b-8c7d-${String(seq).padStart(12, '0')}`, channelId: CH, seq, senderId: CH, clientMsgId: `9a0e1f3c-2b4d-4c6e-8f10-${String(seq).padStart(12, '0')}`, text, createdAt: '2026-01-01T00:00:00.000Z' };
}

function record(offset: number, value: SequencedRecord): RecordOf<never> {
  return { topic: 'chat.message.sequenced.v1', partition: 0, offset: String(offset), key: CH, value, headers: {}, timestamp: 0 } as unknown as RecordOf<never>;
}

function setup(lastStored = 0, maxChannels = 1_000) {
  /** Channel CH's rows by seq; every channel's rows by `${channel}#${seq}`. */
  const rows = new Map<number, Message>();
  const all = new Map<string, Message>();
  for (let seq = 1; seq <= lastStored; seq++) rows.set(seq, message(seq));
  for (const m of rows.values()) all.set(`${m.channelId}#${m.seq}`, m);
  /** Reads of each channel's last stored seq (the fence loading it). */
  const loads = new Map<string, number>();
  const reports: StoreReport[] = [];
  const projected: number[][] = [];
  let releaseProjection: () => void = () => undefined;
  let holdProjection = false;
  const store = new PartitionStore(0, {
    epochs: { inForceBefore: () => Promise.resolve(1), applied: () => Promise.resolve() } as unknown as PartitionEpochsRepository,
    messages: {
      storeAll: (_p: unknown, messages: Message[]) => {
        for (const m of messages) {
          if (m.channelId === CH) rows.set(m.seq, m);
          all.set(`${m.channelId}#${m.seq}`, m);
        }
        return Promise.resolve();
      },
      get: (p: { channelId: string }, seq: number) => Promise.resolve(all.get(`${p.channelId}#${seq}`)),
    } as unknown as MessagesRepository,
    heads: {
      refresh: (channelId: string) => {
        loads.set(channelId, (loads.get(channelId) ?? 0) + 1);
        let last = 0;
        while (all.has(`${channelId}#${last + 1}`)) last++;
        return Promise.resolve(last);
      },
      observe: () => undefined,
    } as unknown as ChannelHeads,
    headHints: { advance: () => Promise.resolve() } as unknown as ChannelHeadsRepository,
    buckets: new MessageBuckets(1000),
    acks: {
      report: (report: StoreReport) => {
        reports.push(report);
        return Promise.resolve();
      },
    },
    project: (messages: readonly Message[]) => {
      projected.push(messages.map((m) => m.seq));
      return holdProjection ? new Promise<void>((resolve) => (releaseProjection = resolve)) : Promise.resolve();
    },
    progress: new StoreProgress(),
    clock: { sleep: () => Promise.resolve(), now: () => new Date() },
    logger: { warn: () => undefined, error: () => undefined, log: () => undefined } as unknown as Logger,
    maxChannels,
  });
  return { store, rows, all, loads, reports, projected, hold: () => (holdProjection = true), release: () => releaseProjection() };
}

const send = (epoch: number, m: Message, requestId?: string): SequencedRecord => ({ kind: 'send', epoch, message: m, ...(requestId ? { replyTo: gw(requestId) } : {}) });
const channel = (n: number): string => `7b0c7a4e-1c9b-4a57-9a8c-${String(n).padStart(12, '0')}`;
const inChannel = (n: number, seq: number): Message => ({ ...message(seq), channelId: channel(n) });

describe('PartitionStore', () => {
  it('stores accepted sends once, refuses a stale epoch and a gap, and reports how far the log is stored', async () => {
    const { store, rows, reports, projected } = setup(2);
    await Promise.all(
      store.take([
        record(10, send(1, message(3), 'a')),
        record(11, { kind: 'epoch', epoch: 2, owner: 'b' }),
        record(12, send(1, message(4, 'zombie'), 'z')),
        record(13, send(2, message(4), 'b')),
        record(14, send(2, message(6), 'gap')),
        record(15, send(2, message(3), 'a')),
      ]),
    );
    expect([...rows.keys()].sort()).toEqual([1, 2, 3, 4]);
    expect(rows.get(4)?.text).toBe('m4');
    expect(reports).toEqual([{ partition: 0, storedBelow: '16', epoch: 2, refused: ['12', '14'], answers: [] }]);
    // The replay of seq 3 (offset 15) is the stored message: projected again, not refused.
    expect(projected).toEqual([[3, 4, 3]]);
  });

  it('answers a duplicate with the stored message, and refuses one whose seq is not stored', async () => {
    const { store, reports } = setup(5);
    await Promise.all(
      store.take([
        record(0, { kind: 'duplicate', epoch: 1, channelId: CH, seq: 5, clientMsgId: message(5).clientMsgId, replyTo: gw('d') }),
        record(1, { kind: 'duplicate', epoch: 1, channelId: CH, seq: 9, clientMsgId: message(9).clientMsgId, replyTo: gw('e') }),
      ]),
    );
    expect(reports).toEqual([{ partition: 0, storedBelow: '2', epoch: 1, refused: ['1'], answers: [{ replyTo: gw('d'), message: message(5) }] }]);
  });

  it('finishes a record only once its after-store steps are applied (the report goes out before)', async () => {
    const { store, reports, hold, release } = setup(0);
    hold();
    let finished = false;
    void Promise.all(store.take([record(0, send(1, message(1), 'a'))])).then(() => (finished = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(reports).toHaveLength(1);
    expect(finished).toBe(false);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(finished).toBe(true);
  });

  it('forgets channels beyond its limit between flushes, and loads them again before deciding their next records', async () => {
    const { store, all, loads, reports } = setup(0, 3);
    const channels = 30;
    let offset = 0;
    const round = (seq: number) => store.take(Array.from({ length: channels }, (_, n) => record(offset++, send(1, inChannel(n, seq)))));
    await Promise.all(round(1));
    await Promise.all(round(2));
    // Every second send was decided against a reloaded last seq: stored, none refused or repeated.
    for (let n = 0; n < channels; n++) expect([all.get(`${channel(n)}#1`)?.seq, all.get(`${channel(n)}#2`)?.seq]).toEqual([1, 2]);
    expect(reports.map((r) => r.refused)).toEqual([[], []]);
    // Only the 3 channels decided last in the first flush were still known in the second.
    expect([...loads.values()].filter((count) => count === 2)).toHaveLength(channels - 3);
    // A replay of an already stored send of a forgotten channel is announced again, not stored twice.
    await Promise.all(store.take([record(offset++, send(1, inChannel(0, 1), 'again'))]));
    expect(reports[2]).toMatchObject({ refused: [] });
    expect(loads.get(channel(0))).toBe(3);
    expect(all.size).toBe(2 * channels);
  });
});
