import { type Message } from '@chat/contracts';
import { MessageBuckets } from '../messages/message-buckets';
import { type MessagesRepository } from '../messages/messages.repository';
import { FakeMessagesRepository, testId } from '../testing/fakes';
import { FakeThreadsRepository, FakeUnreadLedger } from '../testing/feature-fakes';
import { type ThreadsRepository } from '../threads/threads.repository';
import { SENT_QUERY_BUCKETS_MAX, UnreadCounter } from './unread-counter';
import { type UnreadLedgerRepository } from './unread-ledger.repository';

const [ME, BOB] = [testId(1), testId(2)];
const CH = testId(100);

describe('UnreadCounter', () => {
  /** Stored messages 1..last, mine at `mine`, in buckets of `bucketSize`. */
  function setup(last: number, mine: readonly number[], bucketSize = 4) {
    const buckets = new MessageBuckets(bucketSize);
    const messages = new FakeMessagesRepository(buckets);
    for (let seq = 1; seq <= last; seq++) messages.put(message(seq, mine.includes(seq) ? ME : BOB));
    const ledger = new FakeUnreadLedger();
    const threads = new FakeThreadsRepository();
    const counter = new UnreadCounter(ledger as unknown as UnreadLedgerRepository, threads as unknown as ThreadsRepository, messages as unknown as MessagesRepository, buckets);
    return { ledger, threads, messages, counter };
  }

  function message(seq: number, senderId: string): Message {
    return { id: testId(1000 + seq), channelId: CH, seq, senderId, clientMsgId: testId(2000 + seq), text: `m${seq}`, createdAt: new Date(Date.UTC(2025, 0, 1, 0, 0, seq)).toISOString() };
  }

  it('counts every message above the marker but own, deleted and replies of threads I do not follow', async () => {
    // seqs 1..10; mine: 3, 9; deleted: 4 (bob's), 9 (mine); replies: 6, 7 in thread A (followed), 8 in thread B.
    const { ledger, threads, counter } = setup(10, [3, 9]);
    await ledger.addDeleted(CH, { seq: 4, senderId: BOB });
    await ledger.addDeleted(CH, { seq: 9, senderId: ME });
    await ledger.addReply(CH, { seq: 6, rootId: 'A', senderId: BOB });
    await ledger.addReply(CH, { seq: 7, rootId: 'A', senderId: BOB });
    await ledger.addReply(CH, { seq: 8, rootId: 'B', senderId: BOB });
    await threads.addParticipants({ channelId: CH, rootId: 'A' }, [ME]);
    await ledger.addUserMention(ME, CH, 5);
    await ledger.addUserMention(ME, CH, 7);
    await ledger.addChannelMention(CH, { seq: 5, senderId: BOB });
    await ledger.addChannelMention(CH, { seq: 10, senderId: BOB });
    await ledger.addChannelMention(CH, { seq: 3, senderId: ME });

    // Unread: 1, 2, 5, 6, 7, 10.
    expect(await counter.count(ME, CH, 0, 10)).toEqual({ unread: 6, mentions: 3 });
    // Above 5: 6, 7, 10; mentions 7, 10.
    expect(await counter.count(ME, CH, 5, 10)).toEqual({ unread: 3, mentions: 2 });
    // Nothing above the marker, and messages above the known last seq are ignored.
    expect(await counter.count(ME, CH, 10, 10)).toEqual({ unread: 0, mentions: 0 });
    expect(await counter.count(ME, CH, 0, 6)).toEqual({ unread: 4, mentions: 1 });
  });

  it('reads my own messages per bucket above a recent marker, over the whole channel above a distant one, with the same counts', async () => {
    const size = 4;
    const last = size * (SENT_QUERY_BUCKETS_MAX + 2);
    const mine = [1, 2, 7, 13, 14, last - 1, last];
    const { messages, counter } = setup(last, mine, size);
    const expected = (read: number) => ({ unread: last - read - mine.filter((s) => s > read).length, mentions: 0 });

    // Within SENT_QUERY_BUCKETS_MAX buckets of the last seq: one read per bucket partition.
    const near = size * (Math.floor(last / size) - SENT_QUERY_BUCKETS_MAX + 1) - 1;
    expect(await counter.count(ME, CH, near, last)).toEqual(expected(near));
    expect(messages.channelWideReads).toBe(0);
    // Further back: one read over the channel.
    for (const read of [0, 1, 6]) expect(await counter.count(ME, CH, read, last)).toEqual(expected(read));
    expect(messages.channelWideReads).toBe(3);
  });
});
