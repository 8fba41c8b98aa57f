import { type Message } from '../domain/message';
import { type PartitionStored, type SequencedRecord } from './messages';
import { SequencedReader } from './sequenced-reader';

const CH = '7b0c7a4e-1c9b-4a57-9a8c-3f0f2a9d6c11';
const OTHER = '8c1d8b5f-2d0a-4b68-8b9d-4a1a3b0e7d22';
const ME = { gatewayId: 'gw-1', requestId: 'r' };

function message(seq: number, text = `m${seq}`, channelId = CH): Message {
  return { id: `5d1b2c3a-4e5f-4a6b-8c7d-${String(seq).padStart(12, '0')}`, channelId, seq, senderId: CH, clientMsgId: CH, text, createdAt: '2026-01-01T00:00:00.000Z' };
}
const send = (epoch: number, m: Message, requestId?: string): SequencedRecord => ({ kind: 'send', epoch, message: m, ...(requestId ? { replyTo: { ...ME, requestId } } : {}) });
const marker = (epoch: number): SequencedRecord => ({ kind: 'epoch', epoch, owner: `owner-${epoch}` });
const report = (storedBelow: number, epoch: number, extra: Partial<PartitionStored> = {}): PartitionStored => ({ partition: 0, storedBelow: String(storedBelow), epoch, ...extra });

function reader(maxChannels = 100) {
  const r = new SequencedReader({ maxChannels, mine: (replyTo) => replyTo.gatewayId === ME.gatewayId });
  const delivered: string[] = [];
  const acked: string[] = [];
  const take = (out: ReturnType<SequencedReader['stored']>) => {
    delivered.push(...out.deliver.map((m) => `${m.seq}:${m.text}`));
    acked.push(...out.acks.map((a) => `${a.replyTo.requestId}:${a.message.seq}`));
  };
  return {
    log: (offset: number, record: SequencedRecord) => take(r.sequenced(0, String(offset), record)),
    stored: (p: PartitionStored) => take(r.stored(p)),
    delivered,
    acked,
  };
}

describe('SequencedReader', () => {
  it('drops what a deposed owner appends after the new owner\'s marker, and delivers the new owner\'s seqs', () => {
    const r = reader();
    r.log(0, marker(5));
    r.stored(report(1, 5));
    r.log(1, send(5, message(1)));
    r.log(2, marker(6));
    r.log(3, send(5, message(2, 'zombie'))); // the paused owner wakes up
    r.log(4, send(6, message(2, 'live')));
    expect(r.delivered).toEqual(['1:m1', '2:live']);
  });

  it('starting mid-log, holds records until a report tells the epoch in force, and never delivers a refused one', () => {
    const r = reader();
    // The reader starts after the marker of epoch 6 (which it never sees); a zombie of epoch 5 writes first.
    r.log(100, send(5, message(7, 'zombie')));
    r.log(101, send(6, message(7, 'live')));
    expect(r.delivered).toEqual([]);
    r.stored(report(101, 6, { refused: ['100'] }));
    expect(r.delivered).toEqual(['7:live']);
    r.log(102, send(5, message(8, 'zombie')));
    r.log(103, send(6, message(8, 'live')));
    expect(r.delivered).toEqual(['7:live', '8:live']);
  });

  it('releases held records in log order, those below storedBelow as the store decided, the rest by its own fence', () => {
    const r = reader();
    r.log(10, send(3, message(1)));
    r.log(11, send(3, message(2)));
    r.log(12, marker(4));
    r.log(13, send(3, message(3, 'stale')));
    r.log(14, send(4, message(3)));
    r.stored(report(12, 3));
    expect(r.delivered).toEqual(['1:m1', '2:m2', '3:m3']);
  });

  it('waits for a report that covers its first record; one that arrives before any record does not count', () => {
    const r = reader();
    r.stored(report(5, 2));
    r.log(3, send(2, message(1)));
    r.log(4, send(2, message(2)));
    r.log(5, send(2, message(3)));
    expect(r.delivered).toEqual([]);
    r.stored(report(6, 2));
    expect(r.delivered).toEqual(['1:m1', '2:m2', '3:m3']);
  });

  it('takes a channel\'s send only above the last seq it delivered; a gap is delivered (the device syncs); a forgotten channel starts afresh', () => {
    const r = reader(1);
    r.log(0, marker(1));
    r.stored(report(1, 1));
    r.log(1, send(1, message(1)));
    r.log(2, send(1, message(1)));
    r.log(3, send(1, message(3)));
    r.log(4, send(1, message(2)));
    r.log(5, send(1, message(1, 'other', OTHER))); // evicts CH (one channel remembered)
    r.log(6, send(1, message(2))); // a repeat, but CH was forgotten
    expect(r.delivered).toEqual(['1:m1', '3:m3', '1:other', '2:m2']);
  });

  it('after skipped offsets (its consumer restarted at the latest offset) holds again until a report covers the new start', () => {
    const r = reader();
    r.log(0, marker(1));
    r.stored(report(1, 1));
    r.log(1, send(1, message(1)));
    // Offsets 2..9 skipped: among them the marker of epoch 2, and a deposed owner of epoch 1 writes on.
    r.log(10, send(1, message(2, 'zombie')));
    r.log(11, send(2, message(2, 'live')));
    expect(r.delivered).toEqual(['1:m1']);
    r.stored(report(12, 2, { refused: ['10'] }));
    expect(r.delivered).toEqual(['1:m1', '2:live']);
  });

  it('acknowledges its own sends once reported stored and not refused, and duplicates from the report\'s answers', () => {
    const r = reader();
    r.log(0, marker(1));
    r.stored(report(1, 1));
    r.log(1, send(1, message(1), 'a'));
    r.log(2, send(1, { ...message(2) }, undefined));
    r.log(3, send(1, message(2, 'again'), 'b'));
    r.log(4, { kind: 'send', epoch: 1, message: message(3), replyTo: { gatewayId: 'gw-2', requestId: 'c' } });
    expect(r.acked).toEqual([]);
    r.stored(report(4, 1, { refused: ['3'] }));
    expect(r.acked).toEqual(['a:1']);
    r.stored(report(5, 1, { answers: [{ replyTo: { ...ME, requestId: 'd' }, message: message(1) }, { replyTo: { gatewayId: 'gw-2', requestId: 'e' }, message: message(1) }] }));
    expect(r.acked).toEqual(['a:1', 'd:1']);
  });

  it('acknowledges a send whose report came before the record', () => {
    const r = reader();
    r.log(0, marker(1));
    r.stored(report(1, 1));
    r.stored(report(3, 1));
    r.log(1, send(1, message(1), 'a'));
    r.log(2, send(1, message(2), 'b'));
    expect(r.acked).toEqual(['a:1', 'b:2']);
  });
});
