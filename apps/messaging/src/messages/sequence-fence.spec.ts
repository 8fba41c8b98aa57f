import { type Message, type SequencedRecord } from '@chat/contracts';
import { SequenceFence } from './sequence-fence';

const channelId = '00000000-0000-4000-8000-000000000001';

function message(seq: number, id = `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`): Message {
  return { id, channelId, seq, senderId: channelId, clientMsgId: id, text: `m${seq}`, createdAt: new Date(0).toISOString() };
}
const send = (epoch: number, seq: number, id?: string): SequencedRecord => ({ kind: 'send', epoch, message: message(seq, id) });
const marker = (epoch: number): SequencedRecord => ({ kind: 'epoch', epoch, owner: 'm' });

describe('SequenceFence', () => {
  function fence(epoch = 1, last = 0): SequenceFence {
    const f = new SequenceFence(epoch);
    f.load(channelId, last);
    return f;
  }

  it('stores each next seq of the epoch in force', () => {
    const f = fence();
    expect(f.decide(send(1, 1)).kind).toBe('store');
    expect(f.decide(send(1, 2)).kind).toBe('store');
  });

  it('drops what a deposed owner writes after the new epoch marker, and takes the new owner\'s same seq', () => {
    const f = fence(5, 10);
    expect(f.decide(marker(6))).toEqual({ kind: 'epoch', epoch: 6 });
    expect(f.decide(send(5, 11, '00000000-0000-4000-8000-00000000aaaa'))).toEqual({ kind: 'drop', reason: 'stale-epoch' });
    expect(f.decide(send(6, 11))).toEqual({ kind: 'store', message: message(11) });
  });

  it('accepts a deposed owner\'s records that precede the new marker in the log', () => {
    const f = fence(5, 10);
    expect(f.decide(send(5, 11)).kind).toBe('store');
    f.decide(marker(6));
    expect(f.decide(send(6, 12)).kind).toBe('store');
  });

  it('ignores a marker older than the epoch in force (a late claimant\'s)', () => {
    const f = fence(7);
    expect(f.decide(marker(6))).toEqual({ kind: 'drop', reason: 'old-marker' });
    expect(f.epoch).toBe(7);
  });

  it('announces a replayed record again instead of storing it twice, and never leaves a gap', () => {
    const f = fence(1, 3);
    expect(f.decide(send(1, 2))).toMatchObject({ kind: 'announce-stored', seq: 2 });
    expect(f.decide(send(1, 5))).toEqual({ kind: 'drop', reason: 'gap' });
    expect(f.decide(send(1, 4)).kind).toBe('store');
  });

  it('answers a duplicate send only with what is stored', () => {
    const f = fence(1, 3);
    expect(f.decide({ kind: 'duplicate', epoch: 1, channelId, seq: 3, clientMsgId: channelId })).toMatchObject({ kind: 'announce-stored', seq: 3 });
    expect(f.decide({ kind: 'duplicate', epoch: 1, channelId, seq: 4, clientMsgId: channelId })).toEqual({ kind: 'drop', reason: 'not-stored' });
    expect(f.decide({ kind: 'duplicate', epoch: 0 + 1, channelId, seq: 1, clientMsgId: channelId }).kind).toBe('announce-stored');
  });

  it('forgets the least recently decided channels above its capacity, and decides the same once they are loaded again', () => {
    const f = new SequenceFence(1, 2);
    const channels = Array.from({ length: 20 }, (_, i) => `00000000-0000-4000-8000-${String(100 + i).padStart(12, '0')}`);
    const sendTo = (channel: string, seq: number): SequencedRecord => ({ kind: 'send', epoch: 1, message: { ...message(seq), channelId: channel } });
    for (const channel of channels) {
      f.load(channel, 4);
      expect(f.decide(sendTo(channel, 5)).kind).toBe('store');
      f.trim();
      expect(f.channels).toBeLessThanOrEqual(2);
    }
    // The last two decided are kept; the others must be loaded again (Cassandra holds seq 5 of each).
    expect(f.unknownChannels(channels.map((c) => sendTo(c, 6)))).toEqual(channels.slice(0, 18));
    f.load(channels[0], 5);
    expect(f.decide(sendTo(channels[0], 5))).toMatchObject({ kind: 'announce-stored', seq: 5 });
    expect(f.decide(sendTo(channels[0], 6)).kind).toBe('store');
    expect(f.decide(sendTo(channels[19], 6)).kind).toBe('store');
  });

  it('lists the channels whose last seq it must load first', () => {
    const f = new SequenceFence(1);
    expect(f.unknownChannels([marker(2), send(1, 1)])).toEqual([channelId]);
    expect(() => f.decide(send(1, 1))).toThrow(/not loaded/);
  });
});
