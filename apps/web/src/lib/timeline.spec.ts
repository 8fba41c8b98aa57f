import type { Message } from '@chat/contracts';
import {
  addPending,
  applyStored,
  contiguousHead,
  hasHole,
  EMPTY_TIMELINE,
  groupMessages,
  hasGapBefore,
  mergeMessages,
  setPendingState,
  type Timeline,
} from './timeline';

const CHANNEL = '00000000-0000-4000-8000-000000000001';
const ADA = '00000000-0000-4000-8000-0000000000a1';
const BOB = '00000000-0000-4000-8000-0000000000b1';

function message(seq: number, overrides: Partial<Message> = {}): Message {
  return {
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    channelId: CHANNEL,
    seq,
    senderId: ADA,
    clientMsgId: `00000000-0000-4000-9000-${String(seq).padStart(12, '0')}`,
    text: `m${seq}`,
    createdAt: new Date(Date.UTC(2026, 0, 1, 10, 0, seq)).toISOString(),
    ...overrides,
  };
}

const loaded = (messages: Message[]): Timeline => ({ ...EMPTY_TIMELINE, loaded: true, messages });

describe('mergeMessages', () => {
  it('sorts by seq and drops duplicates', () => {
    const merged = mergeMessages([message(1), message(3)], [message(2), message(3), message(1)]);
    expect(merged.map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it('replaces a held message by its update (same seq)', () => {
    const merged = mergeMessages([message(1), message(2)], [message(2, { text: 'edited', editedAt: '2026-01-01T11:00:00.000Z' })]);
    expect(merged.map((m) => m.text)).toEqual(['m1', 'edited']);
  });
});

describe('pending sends', () => {
  it('removes a pending send when its stored message arrives (by clientMsgId)', () => {
    const stored = message(4);
    let timeline = addPending(loaded([message(3)]), {
      clientMsgId: stored.clientMsgId,
      channelId: CHANNEL,
      text: 'm4',
      createdAt: stored.createdAt,
      state: 'sending',
    });
    timeline = setPendingState(timeline, stored.clientMsgId, 'failed', 'unavailable');
    expect(timeline.pending[0]?.state).toBe('failed');
    timeline = addPending(timeline, { ...(timeline.pending[0]), state: 'sending' });
    expect(timeline.pending).toHaveLength(1);
    timeline = applyStored(timeline, [stored]);
    expect(timeline.pending).toEqual([]);
    expect(timeline.messages.map((m) => m.seq)).toEqual([3, 4]);
  });
});

describe('gap detection', () => {
  it('finds the contiguous head', () => {
    expect(contiguousHead([])).toBe(0);
    expect(contiguousHead([message(5), message(6), message(8)])).toBe(6);
  });

  it('sees a gap only beyond the next expected seq of a loaded timeline', () => {
    const timeline = loaded([message(1), message(2)]);
    expect(hasGapBefore(timeline, message(3))).toBe(false);
    expect(hasGapBefore(timeline, message(2))).toBe(false);
    expect(hasGapBefore(timeline, message(5))).toBe(true);
    expect(hasGapBefore(EMPTY_TIMELINE, message(5))).toBe(false);
  });

  it('sees a hole while a message beyond the contiguous head is held (a sync came back short of it)', () => {
    expect(hasHole(loaded([message(1), message(2), message(5)]))).toBe(true);
    expect(hasHole(loaded([message(1), message(2), message(3)]))).toBe(false);
    expect(hasHole(loaded([]))).toBe(false);
    expect(hasHole(EMPTY_TIMELINE)).toBe(false);
    expect(hasHole(undefined)).toBe(false);
  });
});

describe('groupMessages', () => {
  it('groups by day, then by sender runs broken by silence', () => {
    const messages = [
      message(1),
      message(2),
      message(3, { senderId: BOB }),
      message(4, { senderId: BOB, createdAt: '2026-01-01T10:30:00.000Z' }),
      message(5, { senderId: BOB, createdAt: '2026-01-02T09:00:00.000Z' }),
    ];
    const days = groupMessages(messages, (iso) => iso.slice(0, 10));
    expect(days.map((d) => d.day)).toEqual(['2026-01-01', '2026-01-02']);
    expect(days[0]?.runs.map((r) => [r.senderId, r.messages.map((m) => m.seq)])).toEqual([
      [ADA, [1, 2]],
      [BOB, [3]],
      [BOB, [4]],
    ]);
    expect(days[1]?.runs).toHaveLength(1);
  });
});
