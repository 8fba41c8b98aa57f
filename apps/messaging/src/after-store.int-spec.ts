// The after-store steps against real Kafka and Cassandra: a message stored by the send path is
// found by search and by the unread counter's sender query as soon as it is acknowledged (its one
// row carries its terms and sender), and its ledgers, thread summary and by-id entry are derived
// by the store after it stored the message, within a generous deadline (no assertion on speed);
// applying the steps to the same messages again (a replay of the store's log) changes nothing.
import { randomUUID } from 'node:crypto';
import { type Channel, type ChannelCommand, type ChannelSummary, type CommandReply, type Message, type SearchResponse, type Workspace } from '@chat/contracts';
import { waitFor } from '@chat/testing';
import request from 'supertest';
import { applySteps } from './pipeline/after-store';
import { SendSteps } from './pipeline/send-steps';
import { MessageBuckets } from './messages/message-buckets';
import { MessagesRepository } from './messages/messages.repository';
import { UnreadLedgerRepository } from './read-state/unread-ledger.repository';
import { MessagingSpec, sendCommand, type TestUser } from './testing/messaging-test-app';
import { ThreadsRepository } from './threads/threads.repository';

jest.setTimeout(180_000);

/** Far above the documented 1 s of the steps: the machine is shared, and tests never assert on speed. */
const DEADLINE_MS = 20_000;

describe('projections (after-store steps)', () => {
  let spec: MessagingSpec;
  const gatewayId = `gw-${randomUUID()}`;

  beforeAll(async () => {
    spec = await MessagingSpec.start();
  });

  afterAll(() => spec?.stop());

  const api = () => request(spec.messaging.url);
  const get = <T>(type: new (...args: never[]) => T): T => spec.messaging.app.get(type);

  async function send(user: TestUser, channelId: string, text: string, threadId?: string): Promise<Message> {
    const command = sendCommand(user, channelId, text, { gatewayId });
    if (threadId) command.payload.threadId = threadId;
    await spec.publish.command(command);
    const reply = await waitFor<CommandReply>('the send reply', () => spec.observer.replies.find((r) => r.commandId === command.commandId));
    if (!reply.result.ok || !reply.result.message) throw new Error(`send failed: ${JSON.stringify(reply.result)}`);
    return reply.result.message;
  }

  /** The after-store steps applied to stored messages again, as a replay of the store's log does. */
  async function replay(messages: Message[]): Promise<void> {
    await applySteps(get(SendSteps), messages, (step, error) => {
      throw new Error(`${step} failed on replay: ${String(error)}`);
    });
  }

  async function search(user: TestUser, q: string): Promise<string[]> {
    const response = await api().get(`/api/search?q=${q}`).set('Authorization', spec.users.bearer(user)).expect(200);
    return (response.body as SearchResponse).results.map((r) => r.message.id);
  }

  /** Everything the steps derive for the conversation below, read straight from storage. */
  async function derived(channelId: string, users: [TestUser, TestUser], root: Message, word: string) {
    const ledger = get(UnreadLedgerRepository);
    const partition = { channelId, bucket: get(MessageBuckets).of(root.seq) };
    const rootRow = await get(MessagesRepository).get(partition, root.seq);
    return {
      found: (await search(users[0], word)).sort(),
      sent: await Promise.all(users.map((u) => get(MessagesRepository).sentAfter(partition, u.id, 0))),
      userMentions: await Promise.all(users.map((u) => ledger.userMentionsAfter(u.id, channelId, 0))),
      channelMentions: await ledger.channelMentionsAfter(channelId, 0),
      channelReplies: await ledger.repliesAfter(channelId, 0),
      threadReplies: await get(ThreadsRepository).liveReplySeqs({ channelId, rootId: root.id }),
      participants: await Promise.all(users.map((u) => get(ThreadsRepository).isParticipant({ channelId, rootId: root.id }, u.id))),
      root: { replyCount: rootRow?.replyCount, lastReplyAt: rootRow?.lastReplyAt },
      rootUpdates: spec.observer.updated.filter((m) => m.id === root.id).length,
    };
  }

  it('are the features\u2019 derived state only: search terms and senders are in the stored row, no step writes them', () => {
    expect(get(SendSteps).after.map((step) => step.name).sort()).toEqual(['file-shares', 'mention-ledger', 'thread-summary']);
  });

  it('finds a message by search and by sender once acknowledged, derives ledgers and the thread summary, and a replay changes nothing', async () => {
    const [alice, bob] = [await spec.users.create('alice'), await spec.users.create('bob')];
    const created = await api().post('/api/workspaces').set('Authorization', spec.users.bearer(alice)).send({ name: 'projections' }).expect(201);
    const { workspace } = created.body as { workspace: Workspace };
    await api().post(`/api/workspaces/${workspace.id}/members`).set('Authorization', spec.users.bearer(alice)).send({ userId: bob.id }).expect(201);
    await api().post(`/api/me/invitations/${workspace.id}/accept`).set('Authorization', spec.users.bearer(bob)).expect(200);
    const listed = await api().get(`/api/workspaces/${workspace.id}/channels`).set('Authorization', spec.users.bearer(alice)).expect(200);
    const general = (listed.body as { channels: (Channel & ChannelSummary)[] }).channels.find((c) => c.name === 'general')!;
    const ch = general.id;
    const word = `wombat${randomUUID().slice(0, 8)}`;

    const root = await send(alice, ch, `a ${word} for @${bob.username}`);
    // Acknowledged means stored, terms included: searchable at once, no waiting.
    expect(await search(alice, word)).toEqual([root.id]);
    const reply = await send(bob, ch, `@channel ${word} again`, root.id);
    const announcement = await send(bob, ch, `@channel standup`);
    expect((await search(alice, word)).sort()).toEqual([root.id, reply.id].sort());

    await waitFor('the root summary', async () => (await derived(ch, [alice, bob], root, word)).root.replyCount === 1, DEADLINE_MS);
    await waitFor('the ledgers', async () => (await derived(ch, [alice, bob], root, word)).channelMentions.length === 1, DEADLINE_MS);

    const before = await derived(ch, [alice, bob], root, word);
    expect(before).toEqual({
      found: [root.id, reply.id].sort(),
      sent: [[root.seq], [announcement.seq, reply.seq]],
      userMentions: [[], [root.seq]],
      // @channel counts in top-level messages only.
      channelMentions: [{ seq: announcement.seq, senderId: bob.id }],
      channelReplies: [{ seq: reply.seq, rootId: root.id, senderId: bob.id }],
      threadReplies: [reply.seq],
      participants: [true, true],
      root: { replyCount: 1, lastReplyAt: reply.createdAt },
      rootUpdates: 1,
    });

    // Apply the steps to the three messages again, as a store re-reading its log after a crash
    // before its commit would; then a fresh message of the same channel.
    await replay([root, reply, announcement]);
    const marker = `marker${randomUUID().slice(0, 8)}`;
    await send(alice, ch, marker);
    expect(await search(alice, marker)).toHaveLength(1);

    const after = await derived(ch, [alice, bob], root, word);
    expect({ ...after, sent: after.sent.map((seqs) => seqs.filter((seq) => seq <= announcement.seq)) }).toEqual(before);
  });

  it('keeps an edit and a delete whatever the steps replay after them', async () => {
    const alice = await spec.users.create('carol');
    const created = await api().post('/api/workspaces').set('Authorization', spec.users.bearer(alice)).send({ name: 'late' }).expect(201);
    const { workspace } = created.body as { workspace: Workspace };
    const listed = await api().get(`/api/workspaces/${workspace.id}/channels`).set('Authorization', spec.users.bearer(alice)).expect(200);
    const ch = (listed.body as { channels: Channel[] }).channels.find((c) => c.name === 'general')!.id;
    const [oldWord, newWord, goneWord] = ['old', 'new', 'gone'].map((w) => `${w}${randomUUID().slice(0, 8)}`) as [string, string, string];
    const edited = await send(alice, ch, `the ${oldWord} text`);
    const deleted = await send(alice, ch, `the ${goneWord} text`);
    const marker = `marker${randomUUID().slice(0, 8)}`;
    await send(alice, ch, marker);
    expect(await search(alice, marker)).toHaveLength(1);

    // The edit and the delete are applied; then the steps see their creations again, late.
    const header = () => ({ commandId: randomUUID(), userId: alice.id, issuedAt: new Date().toISOString(), replyTo: { gatewayId, requestId: randomUUID() } });
    const edit: ChannelCommand = { type: 'message.edit', ...header(), payload: { channelId: ch, messageId: edited.id, text: `the ${newWord} text` } };
    const remove: ChannelCommand = { type: 'message.delete', ...header(), payload: { channelId: ch, messageId: deleted.id } };
    await spec.publish.commands([edit, remove]);
    await waitFor('edit and delete replies', () => spec.observer.replies.filter((r) => r.commandId === edit.commandId || r.commandId === remove.commandId).length === 2);
    await replay([edited, deleted]);
    const marker2 = `marker${randomUUID().slice(0, 8)}`;
    await send(alice, ch, marker2);
    expect(await search(alice, marker2)).toHaveLength(1);

    expect(await search(alice, oldWord)).toEqual([]);
    expect(await search(alice, newWord)).toEqual([edited.id]);
    expect(await search(alice, goneWord)).toEqual([]);
  });
});
