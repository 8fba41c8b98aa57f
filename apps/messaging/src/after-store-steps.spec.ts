// The after-store steps' logic on fakes: what each derives from a batch of stored messages, that a
// replay derives nothing new, and how the store runs them.
import { type Message } from '@chat/contracts';
import { type ChannelsRepository } from './channels/channels.repository';
import { type MessageUpdatesRepository, type MessageRow } from './edits/message-updates.repository';
import { MessageLocator } from './edits/message-locator';
import { MentionLedger } from './mentions/mention-ledger';
import { MentionLedgerStep } from './mentions/mention-steps';
import { type MessagesRepository } from './messages/messages.repository';
import { type AfterStoreStep, SendSteps } from './pipeline/send-steps';
import { type UnreadLedgerRepository } from './read-state/unread-ledger.repository';
import { type EventsPublisher } from './common/events.publisher';
import { type FakeMessagesRepository, testId, wire } from './testing/fakes';
import { FakeThreadsRepository, FakeUnreadLedger } from './testing/feature-fakes';
import { ThreadSummaryStep } from './threads/thread-steps';
import { type ThreadsRepository } from './threads/threads.repository';
import { ThreadsService } from './threads/threads.service';
import { applySteps, distinct } from './pipeline/after-store';

const CH = testId(100);
const [ALICE, BOB, CAROL] = [testId(1), testId(2), testId(3)];

function message(seq: number, senderId: string, text: string, extra: Partial<Message> = {}): Message {
  return { id: testId(1000 + seq), channelId: CH, seq, senderId, clientMsgId: testId(2000 + seq), text, createdAt: new Date(Date.UTC(2025, 0, 1, 0, 0, seq)).toISOString(), ...extra };
}

describe('running the after-store steps', () => {
  const step = (name: string, apply: AfterStoreStep['apply']): AfterStoreStep => ({ name, apply });

  it('hands the batch to every step side by side and fails only once all have settled', async () => {
    const steps = new SendSteps();
    const seen: string[] = [];
    let slowDone = false;
    steps.addAfter(step('failing', () => Promise.reject(new Error('engine down'))));
    steps.addAfter(step('slow', async (ms) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      slowDone = true;
      seen.push(`slow:${ms.length}`);
    }));
    const failures: string[] = [];
    await expect(applySteps(steps, [message(1, ALICE, 'a')], (name) => failures.push(name))).rejects.toThrow('engine down');
    expect({ slowDone, seen, failures }).toEqual({ slowDone: true, seen: ['slow:1'], failures: ['failing'] });
  });

  it('gives each message to the steps once per batch, keeping the last copy and the order', () => {
    const first = message(1, ALICE, 'a');
    const again = { ...first, text: 'a (re-announced)' };
    const second = message(2, BOB, 'b');
    expect(distinct([first, second, again])).toEqual([second, again]);
  });
});

describe('ledger steps', () => {
  it('records user mentions (not the sender) and @channel in top-level messages only; skips tombstones; a replay adds nothing', async () => {
    const ledger = new FakeUnreadLedger();
    const port = ledger as unknown as UnreadLedgerRepository;
    const mentions = new MentionLedgerStep(new MentionLedger(port));
    const batch = [
      message(1, ALICE, '@bob @alice', { mentions: [BOB, ALICE] }),
      message(2, BOB, '@channel', { mentions: ['channel'] }),
      message(3, BOB, '@channel in a thread', { mentions: ['channel', CAROL], threadId: testId(1001) }),
      message(4, CAROL, '', { deleted: true }),
    ];
    for (let i = 0; i < 2; i++) await mentions.apply(batch);

    expect(await ledger.userMentionsAfter(BOB, CH, 0)).toEqual([1]);
    expect(await ledger.userMentionsAfter(ALICE, CH, 0)).toEqual([]);
    expect(await ledger.userMentionsAfter(CAROL, CH, 0)).toEqual([3]);
    expect(await ledger.channelMentionsAfter(CH, 0)).toEqual([{ seq: 2, senderId: BOB }]);
  });
});

describe('thread summary step', () => {
  function setUp() {
    const messaging = wire({ bucketSize: 10 });
    const messages = messaging.fakes.messages;
    const threads = new FakeThreadsRepository();
    const ledger = new FakeUnreadLedger();
    const updates = {
      setReplies: (row: MessageRow, count: number, last: Date | null) => {
        const stored = messages.partitions.get(`${row.channelId}/${row.bucket}`)?.get(row.seq);
        if (stored) messages.put({ ...stored, replyCount: count, ...(last ? { lastReplyAt: last.toISOString() } : {}) });
        return Promise.resolve();
      },
    };
    const locator = new MessageLocator(messaging.access, messaging.fakes.channels as unknown as ChannelsRepository, messages as unknown as MessagesRepository, messaging.buckets);
    const service = new ThreadsService(
      threads as unknown as ThreadsRepository,
      locator,
      messages as unknown as MessagesRepository,
      updates as unknown as MessageUpdatesRepository,
      ledger as unknown as UnreadLedgerRepository,
      messaging.buckets,
    );
    const events = messaging.fakes.events;
    return { step: new ThreadSummaryStep(service, events as unknown as EventsPublisher), messages, threads, ledger, events };
  }

  function store(messages: FakeMessagesRepository, ...batch: Message[]): void {
    for (const m of batch) {
      messages.put(m);
      messages.byId.set(m.id, { channelId: m.channelId, seq: m.seq });
    }
  }

  it('lists replies, adds participants, recounts the root once per batch and announces it; a replay announces nothing', async () => {
    const { step, messages, threads, ledger, events } = setUp();
    const root = message(1, ALICE, 'root');
    const [one, two] = [message(2, BOB, 'one', { threadId: root.id }), message(3, BOB, '@carol two', { threadId: root.id, mentions: [CAROL] })];
    store(messages, root, one, two);

    await step.apply([root, one, two]);
    await step.apply([root, one, two]);

    const thread = { channelId: CH, rootId: root.id };
    expect(await threads.liveReplySeqs(thread)).toEqual([2, 3]);
    expect([...(threads.participants.get(`${CH}/${root.id}`) ?? [])].sort()).toEqual([ALICE, BOB, CAROL].sort());
    expect((await ledger.repliesAfter(CH, 0)).map((r) => r.seq)).toEqual([2, 3]);
    const announced = events.of('message.updated').map((e) => e.message);
    expect(announced).toEqual([expect.objectContaining({ id: root.id, replyCount: 2, lastReplyAt: two.createdAt })]);
  });

  it('finds a root stored in an earlier batch through the by-id index', async () => {
    const { step, messages, events } = setUp();
    const root = message(1, ALICE, 'root');
    const reply = message(2, BOB, 'late reply', { threadId: root.id });
    store(messages, root, reply);
    await step.apply([reply]);
    expect(events.of('message.updated').map((e) => e.message.replyCount)).toEqual([1]);
  });
});
