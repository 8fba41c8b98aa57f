import { FakeThreadsRepository, FakeUnreadLedger } from '../testing/feature-fakes';
import { type ThreadsRepository } from '../threads/threads.repository';
import { UnreadCounter } from './unread-counter';
import { type UnreadLedgerRepository } from './unread-ledger.repository';

const [ME, BOB] = ['me', 'bob'];
const CH = 'ch';

describe('UnreadCounter', () => {
  function setup() {
    const ledger = new FakeUnreadLedger();
    const threads = new FakeThreadsRepository();
    return { ledger, threads, counter: new UnreadCounter(ledger as unknown as UnreadLedgerRepository, threads as unknown as ThreadsRepository) };
  }

  it('counts every message above the marker but own, deleted and replies of threads I do not follow', async () => {
    const { ledger, threads, counter } = setup();
    // seqs 1..10; mine: 3, 9; deleted: 4 (bob's), 9 (mine); replies: 6, 7 in thread A (followed), 8 in thread B.
    await ledger.addSent(CH, ME, 3);
    await ledger.addSent(CH, ME, 9);
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
    // Nothing above the marker, and ledger rows above the known last seq are ignored.
    expect(await counter.count(ME, CH, 10, 10)).toEqual({ unread: 0, mentions: 0 });
    expect(await counter.count(ME, CH, 0, 6)).toEqual({ unread: 4, mentions: 1 });
  });
});
