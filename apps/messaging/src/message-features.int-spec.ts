// Issue 9 and the read-state part of issue 4, against real Cassandra and Kafka: threads, edits,
// deletes, reactions, mentions, pins, search, and unread/mention counts. Commands go through Kafka
// exactly as the gateway publishes them; REST over HTTP. One keyspace and Kafka namespace per run.
import { randomUUID } from 'node:crypto';
import {
  type Channel,
  type ChannelCommand,
  ChannelCommandTopic,
  type ChannelSummary,
  type CommandReply,
  type ErrorBody,
  type HistoryResponse,
  type Message,
  type PinsResponse,
  type SearchResponse,
  type ThreadResponse,
  type Workspace,
} from '@chat/contracts';
import { KafkaProducer } from '@chat/kafka';
import { waitFor } from '@chat/testing';
import request, { type Response } from 'supertest';
import {
  MessagingSpec,
  type Observer,
  type Publisher,
  type RunningMessaging,
  type SpecUsers,
  type TestUser,
} from './testing/messaging-test-app';
import { type ChangeCommand, ChannelCommandService } from './messages/channel-command.service';

jest.setTimeout(180_000);

/** Small, so threads and unread ranges span several partitions. */
const BUCKET_SIZE = 8;

type Payload<T extends ChannelCommand['type']> = Extract<ChannelCommand, { type: T }>['payload'];

describe('message features', () => {
  let spec: MessagingSpec;
  let messaging: RunningMessaging;
  let observer: Observer;
  let publish: Publisher;
  const gatewayId = `gw-${randomUUID()}`;
  let users: SpecUsers;

  const api = () => request(messaging.url);
  const as = (user: TestUser) => users.bearer(user);
  const errorOf = (response: Response) => (response.body as ErrorBody).error;

  const newUser = (name: string): Promise<TestUser> => users.create(name);

  async function newWorkspace(owner: TestUser, members: TestUser[]): Promise<{ workspace: Workspace; general: Channel }> {
    const response = await api().post('/api/workspaces').set('Authorization', as(owner)).send({ name: `ws ${randomUUID().slice(0, 6)}` }).expect(201);
    const { workspace } = response.body as { workspace: Workspace };
    for (const member of members) {
      await api().post(`/api/workspaces/${workspace.id}/invitations`).set('Authorization', as(owner)).send({ userId: member.id }).expect(201);
      await api().post(`/api/me/invitations/${workspace.id}/accept`).set('Authorization', as(member)).expect(200);
    }
    const general = (await channels(owner, workspace.id)).find((c) => c.name === 'general')!;
    return { workspace, general };
  }

  async function channels(user: TestUser, workspaceId: string): Promise<ChannelSummary[]> {
    const response = await api().get(`/api/workspaces/${workspaceId}/channels`).set('Authorization', as(user)).expect(200);
    return (response.body as { channels: ChannelSummary[] }).channels;
  }

  function command<T extends ChannelCommand['type']>(user: TestUser, type: T, payload: Payload<T>): ChannelCommand {
    // The request id is the command id: a send is answered once the store reports it stored, naming the request (see Observer).
    const commandId = randomUUID();
    return { type, commandId, userId: user.id, issuedAt: new Date().toISOString(), replyTo: { gatewayId, requestId: commandId }, payload } as ChannelCommand;
  }

  /** Publishes the commands in one batch (Kafka keeps their order per channel) and waits for every reply. */
  async function run(commands: ChannelCommand[]): Promise<CommandReply['result'][]> {
    await publish.commands(commands);
    const ids = new Set(commands.map((c) => c.commandId));
    const replies = await waitFor(`${ids.size} replies`, () => {
      const got = observer.replies.filter((r) => ids.has(r.commandId));
      return got.length >= ids.size ? got : undefined;
    });
    return commands.map((c) => replies.find((r) => r.commandId === c.commandId)!.result);
  }

  async function ok(commands: ChannelCommand[]): Promise<CommandReply['result'][]> {
    const results = await run(commands);
    const failed = results.find((r) => !r.ok);
    if (failed) throw new Error(`command failed: ${JSON.stringify(failed)}`);
    return results;
  }

  async function send(user: TestUser, channelId: string, text: string, threadId?: string): Promise<Message> {
    const [result] = await ok([command(user, 'message.send', { channelId, clientMsgId: randomUUID(), text, ...(threadId ? { threadId } : {}) })]);
    if (!result?.ok || !result.message) throw new Error('no message in the reply');
    return result.message;
  }

  async function codeOf(commands: ChannelCommand[]): Promise<string> {
    const [result] = await run(commands);
    return result?.ok ? 'ok' : (result?.error.code ?? 'none');
  }

  async function history(user: TestUser, channelId: string): Promise<Message[]> {
    const response = await api().get(`/api/channels/${channelId}/messages?after=0&limit=200`).set('Authorization', as(user)).expect(200);
    return (response.body as HistoryResponse).messages;
  }

  async function search(user: TestUser, query: string): Promise<Message[]> {
    const response = await api().get(`/api/search?${query}`).set('Authorization', as(user)).expect(200);
    return (response.body as SearchResponse).results.map((r) => r.message);
  }

  /** The last message:updated announced for a message. */
  const lastUpdate = (messageId: string) => observer.updated.filter((m) => m.id === messageId).at(-1);

  beforeAll(async () => {
    spec = await MessagingSpec.start({ MESSAGE_BUCKET_SIZE: String(BUCKET_SIZE) });
    ({ messaging, observer, publish, users } = spec);
  });

  afterAll(() => spec?.stop());

  describe('threads', () => {
    it('keeps 30 replies from 3 users in order, counts them on the root, and pages the thread', async () => {
      const [alice, bob, carol] = await Promise.all([newUser('alice'), newUser('bob'), newUser('carol')]);
      const { general } = await newWorkspace(alice, [bob, carol]);
      const root = await send(alice, general.id, 'thread root');
      const authors = [alice, bob, carol];
      const commands = Array.from({ length: 30 }, (_, i) =>
        command(authors[i % 3], 'message.send', { channelId: general.id, clientMsgId: randomUUID(), text: `reply ${i}`, threadId: root.id }),
      );
      const replies = (await ok(commands)).map((r) => (r.ok ? r.message! : undefined)!);
      expect(replies.map((r) => r.threadId)).toEqual(Array(30).fill(root.id));
      // The thread listing and summary are derived off the send path; the root's update says when.
      const pushed = await waitFor('root update with 30 replies', () => (lastUpdate(root.id)?.replyCount === 30 ? lastUpdate(root.id) : undefined));
      expect(pushed.lastReplyAt).toBe(replies[29].createdAt);

      const pages: Message[] = [];
      let after = 0;
      let body: ThreadResponse;
      do {
        const response = await api().get(`/api/channels/${general.id}/messages/${root.id}/thread?after=${after}&limit=7`).set('Authorization', as(bob)).expect(200);
        body = response.body as ThreadResponse;
        pages.push(...body.replies);
        after = body.replies.at(-1)?.seq ?? after;
      } while (body.hasMore);
      expect(pages.map((m) => m.text)).toEqual(Array.from({ length: 30 }, (_, i) => `reply ${i}`));
      expect(pages.map((m) => m.senderId)).toEqual(Array.from({ length: 30 }, (_, i) => authors[i % 3].id));
      const seqs = pages.map((m) => m.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(body.root).toMatchObject({ id: root.id, replyCount: 30, lastReplyAt: replies[29].createdAt });
      // Replies are channel messages too: history and seqs stay gap-free.
      expect((await history(carol, general.id)).map((m) => m.seq)).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
    });

    it('refuses a reply to an unknown message (not_found) or to a reply (invalid), and bad thread queries (invalid)', async () => {
      const [alice] = await Promise.all([newUser('alice')]);
      const { general } = await newWorkspace(alice, []);
      const root = await send(alice, general.id, 'root');
      const reply = await send(alice, general.id, 'reply', root.id);
      const reply2 = (threadId: string) => command(alice, 'message.send', { channelId: general.id, clientMsgId: randomUUID(), text: 'x', threadId });
      expect(await codeOf([reply2(randomUUID())])).toBe('not_found');
      expect(await codeOf([reply2(reply.id)])).toBe('invalid');
      const thread = (query: string) => api().get(`/api/channels/${general.id}/messages/${root.id}/thread${query}`).set('Authorization', as(alice));
      expect(errorOf(await thread('?limit=0')).code).toBe('invalid');
      expect(errorOf(await thread('?after=-1')).code).toBe('invalid');
      const unknown = await api().get(`/api/channels/${general.id}/messages/${randomUUID()}/thread`).set('Authorization', as(alice));
      expect([unknown.status, errorOf(unknown).code]).toEqual([404, 'not_found']);
    });
  });

  describe('edits and deletes', () => {
    it('lets only the author edit, stamps editedAt and pushes the edit', async () => {
      const [alice, bob] = await Promise.all([newUser('alice'), newUser('bob')]);
      const { general } = await newWorkspace(alice, [bob]);
      const message = await send(bob, general.id, 'first draft');
      expect(await codeOf([command(alice, 'message.edit', { channelId: general.id, messageId: message.id, text: 'hijacked' })])).toBe('forbidden');
      const [edited] = await ok([command(bob, 'message.edit', { channelId: general.id, messageId: message.id, text: 'second draft' })]);
      expect(edited).toMatchObject({ ok: true, message: { id: message.id, seq: message.seq, text: 'second draft' } });
      expect(edited?.ok && edited.message?.editedAt).toEqual(expect.stringMatching(/^\d{4}-/));
      await waitFor('edit pushed', () => lastUpdate(message.id)?.text === 'second draft');
      expect(await codeOf([command(bob, 'message.edit', { channelId: general.id, messageId: randomUUID(), text: 'x' })])).toBe('not_found');
    });

    it('applies racing edits from two devices in one order: the last acknowledged wins in storage and in the pushes', async () => {
      const [alice] = await Promise.all([newUser('alice')]);
      const { general } = await newWorkspace(alice, []);
      const message = await send(alice, general.id, 'v0');
      // Two devices, each firing edits; Kafka orders them on the channel's partition.
      const edits = Array.from({ length: 10 }, (_, i) => command(alice, 'message.edit', { channelId: general.id, messageId: message.id, text: `device ${i % 2} edit ${i}` }));
      await Promise.all([publish.commands(edits.filter((_, i) => i % 2 === 0)), publish.commands(edits.filter((_, i) => i % 2 === 1))]);
      const ids = new Set(edits.map((e) => e.commandId));
      await waitFor('10 edit replies', () => observer.replies.filter((r) => ids.has(r.commandId)).length === 10);
      // The order of acknowledgement is the order of the replies on the reply topic (one partition per gateway).
      const acked = observer.replies.filter((r) => ids.has(r.commandId)).map((r) => (r.result.ok ? r.result.message!.text : ''));
      const winner = acked.at(-1);
      const stored = (await history(alice, general.id)).find((m) => m.id === message.id)!;
      expect(stored.text).toBe(winner);
      const pushes = await waitFor('10 pushes', () => {
        const got = observer.updated.filter((m) => m.id === message.id);
        return got.length >= 10 ? got : undefined;
      });
      expect(pushes.map((m) => m.text)).toEqual(acked);
    });

    it('a deposed owner applying an old edit or reaction late (after its successor applied later ones) cannot undo them', async () => {
      const alice = await newUser('alice');
      const { general } = await newWorkspace(alice, []);
      const message = await send(alice, general.id, 'v0');
      const target = { channelId: general.id, messageId: message.id };
      /** Publishes one command and waits for its reply; its offset is where a zombie would apply it again. */
      const applied = async (c: ChannelCommand): Promise<bigint> => {
        const { offset } = await messaging.app.get(KafkaProducer).publish(ChannelCommandTopic, c.payload.channelId, c);
        if (offset === '-1') throw new Error('no offset for a command published alone');
        await waitFor('the reply', () => observer.replies.some((r) => r.commandId === c.commandId));
        return BigInt(offset);
      };
      const stored = async () => (await history(alice, general.id)).find((m) => m.id === message.id)!;

      const older = command(alice, 'message.edit', { ...target, text: 'older edit' }) as ChangeCommand;
      const olderAt = await applied(older);
      await ok([command(alice, 'message.edit', { ...target, text: 'newer edit' })]);
      // The owner that applied `older` was paused past its session timeout (its successor has
      // applied both edits since) and wakes up in the middle of that command: it writes again.
      await messaging.app.get(ChannelCommandService).handle(older, olderAt);
      expect((await stored()).text).toBe('newer edit');

      const add = command(alice, 'reaction.add', { ...target, emoji: '👍' }) as ChangeCommand;
      const addAt = await applied(add);
      await ok([command(alice, 'reaction.remove', { ...target, emoji: '👍' })]);
      await messaging.app.get(ChannelCommandService).handle(add, addAt);
      expect((await stored()).reactions).toBeUndefined();
    });

    it('deletes by the author or a workspace owner only; the tombstone keeps the seq and loses the text everywhere', async () => {
      const [owner, bob, carol] = await Promise.all([newUser('owner'), newUser('bob'), newUser('carol')]);
      const { general } = await newWorkspace(owner, [bob, carol]);
      const word = `zebra${randomUUID().slice(0, 8)}`;
      const secret = await send(bob, general.id, `the ${word} secret`);
      const other = await send(bob, general.id, `another ${word}`);
      await send(carol, general.id, 'after');
      // Acknowledged means stored with its terms: searchable at once.
      expect((await search(carol, `q=${word}`)).map((m) => m.id).sort()).toEqual([secret.id, other.id].sort());

      expect(await codeOf([command(carol, 'message.delete', { channelId: general.id, messageId: secret.id })])).toBe('forbidden');
      await ok([command(bob, 'message.delete', { channelId: general.id, messageId: secret.id })]);
      await ok([command(owner, 'message.delete', { channelId: general.id, messageId: other.id })]);
      expect(await codeOf([command(bob, 'message.delete', { channelId: general.id, messageId: secret.id })])).toBe('ok');

      const stored = await history(carol, general.id);
      expect(stored.map((m) => m.seq)).toEqual([1, 2, 3]);
      for (const id of [secret.id, other.id]) {
        expect(stored.find((m) => m.id === id)).toMatchObject({ deleted: true, text: '' });
      }
      const synced = await api().post('/api/sync').set('Authorization', as(carol)).send({ channels: [{ channelId: general.id, afterSeq: 0 }] }).expect(200);
      expect(JSON.stringify(synced.body)).not.toContain(word);
      expect(await search(carol, `q=${word}`)).toEqual([]);
      const pushed = await waitFor('tombstone pushed', () => lastUpdate(secret.id));
      expect(pushed).toMatchObject({ deleted: true, text: '', seq: secret.seq });
      expect(JSON.stringify(observer.updated.filter((m) => m.id === secret.id || m.id === other.id))).not.toContain(word);
      expect(await codeOf([command(bob, 'message.edit', { channelId: general.id, messageId: secret.id, text: 'resurrect' })])).toBe('not_found');
    });

    it('takes a deleted reply out of the root reply count', async () => {
      const [alice] = await Promise.all([newUser('alice')]);
      const { general } = await newWorkspace(alice, []);
      const root = await send(alice, general.id, 'root');
      const first = await send(alice, general.id, 'one', root.id);
      await send(alice, general.id, 'two', root.id);
      await ok([command(alice, 'message.delete', { channelId: general.id, messageId: first.id })]);
      await waitFor('root back to one reply', () => lastUpdate(root.id)?.replyCount === 1);
    });
  });

  describe('reactions', () => {
    it('counts one reaction per user under concurrent adds and removes, and pushes the result', async () => {
      const users = await Promise.all(Array.from({ length: 5 }, (_, i) => newUser(`r${i}`)));
      const { general } = await newWorkspace(users[0], users.slice(1));
      const message = await send(users[0], general.id, 'react to me');
      const react = (user: TestUser, type: 'reaction.add' | 'reaction.remove', emoji: string) =>
        command(user, type, { channelId: general.id, messageId: message.id, emoji });
      // Every user adds 👍 three times; users 0-2 add :tada:, then 0 and 1 remove it (1 twice).
      const batches = users.map((u, i) => [
        react(u, 'reaction.add', '👍'),
        react(u, 'reaction.add', '👍'),
        ...(i < 3 ? [react(u, 'reaction.add', ':tada:')] : []),
        react(u, 'reaction.add', '👍'),
        ...(i < 2 ? [react(u, 'reaction.remove', ':tada:'), react(u, 'reaction.remove', ':tada:')] : []),
      ]);
      const all = batches.flat();
      await Promise.all(batches.map((b) => publish.commands(b)));
      const ids = new Set(all.map((c) => c.commandId));
      await waitFor('reaction replies', () => observer.replies.filter((r) => ids.has(r.commandId)).length === ids.size);
      expect(observer.replies.filter((r) => ids.has(r.commandId)).every((r) => r.result.ok)).toBe(true);

      const expected = [
        { emoji: '👍', count: 5, userIds: users.map((u) => u.id).sort() },
        { emoji: ':tada:', count: 1, userIds: [users[2].id] },
      ];
      const stored = (await history(users[3], general.id)).find((m) => m.id === message.id)!;
      expect(new Set(stored.reactions)).toEqual(new Set(expected));
      expect(stored.reactions).toHaveLength(2);
      const pushed = lastUpdate(message.id)!;
      expect(pushed.reactions).toHaveLength(2);
      expect(new Set(pushed.reactions)).toEqual(new Set(expected));
    });

    it('refuses reactions of non-members (forbidden) and on unknown messages (not_found)', async () => {
      const [alice, bob] = await Promise.all([newUser('alice'), newUser('bob')]);
      const { workspace, general } = await newWorkspace(alice, [bob]);
      const open = ((await api().post(`/api/workspaces/${workspace.id}/channels`).set('Authorization', as(alice)).send({ name: 'open' }).expect(201)).body as { channel: Channel }).channel;
      const message = await send(alice, open.id, 'hi');
      expect(await codeOf([command(bob, 'reaction.add', { channelId: open.id, messageId: message.id, emoji: '👍' })])).toBe('forbidden');
      expect(await codeOf([command(alice, 'reaction.add', { channelId: general.id, messageId: message.id, emoji: '👍' })])).toBe('not_found');
    });
  });

  describe('search', () => {
    it('finds a fresh word, stops after an edit removes it, and never shows a private channel to a non-member', async () => {
      const [alice, bob] = await Promise.all([newUser('alice'), newUser('bob')]);
      const { workspace, general } = await newWorkspace(alice, [bob]);
      const secret = ((await api().post(`/api/workspaces/${workspace.id}/channels`).set('Authorization', as(alice)).send({ name: 'secret', private: true }).expect(201)).body as { channel: Channel }).channel;
      const word = `quokka${randomUUID().slice(0, 8)}`;
      const open = await send(bob, general.id, `I saw a ${word.toUpperCase()} today`);
      const hidden = await send(alice, secret.id, `private ${word} sighting`);

      // Acknowledged means stored with its terms: searchable at once.
      expect((await search(bob, `q=${word}`)).map((m) => m.id)).toEqual([open.id]);
      expect((await search(alice, `q=${word}`)).map((m) => m.id).sort()).toEqual([open.id, hidden.id].sort());
      const refused = await api().get(`/api/search?q=${word}&channelId=${secret.id}`).set('Authorization', as(bob));
      expect([refused.status, errorOf(refused).code]).toEqual([404, 'not_found']);

      await ok([command(bob, 'message.edit', { channelId: general.id, messageId: open.id, text: 'I saw nothing today' })]);
      expect((await search(bob, `q=${word}`)).map((m) => m.id)).toEqual([]);
      expect((await search(bob, 'q=nothing%20today')).map((m) => m.id)).toContain(open.id);
    });

    it('ranks by relevance then recency and filters by channel, sender and date', async () => {
      const [alice, bob] = await Promise.all([newUser('alice'), newUser('bob')]);
      const { workspace, general } = await newWorkspace(alice, [bob]);
      const random = ((await api().post(`/api/workspaces/${workspace.id}/channels`).set('Authorization', as(alice)).send({ name: 'random' }).expect(201)).body as { channel: Channel }).channel;
      await api().post(`/api/channels/${random.id}/members`).set('Authorization', as(bob)).send({ userId: bob.id }).expect(201);
      const w = `kiwi${randomUUID().slice(0, 8)}`;
      const diluted = await send(alice, general.id, `${w} appears once in this rather long message about fruit and birds`);
      const dense = await send(bob, general.id, `${w} ${w}!`);
      const older = await send(bob, random.id, `${w} here`);
      const newer = await send(alice, random.id, `${w} there`);

      expect((await search(alice, `q=${w}`)).map((m) => m.id)).toEqual([dense.id, newer.id, older.id, diluted.id]);
      expect((await search(alice, `q=${w}&channelId=${random.id}`)).map((m) => m.id)).toEqual([newer.id, older.id]);
      expect((await search(alice, `q=${w}&from=${bob.id}`)).map((m) => m.id)).toEqual([dense.id, older.id]);
      expect((await search(alice, `q=${w}&after=${encodeURIComponent(older.createdAt)}`)).map((m) => m.id)).toEqual([newer.id]);
      expect((await search(alice, `q=${w}&before=${encodeURIComponent(dense.createdAt)}`)).map((m) => m.id)).toEqual([diluted.id]);
      expect((await search(alice, `q=${w}&from=${bob.id}&after=${encodeURIComponent(dense.createdAt)}`)).map((m) => m.id)).toEqual([older.id]);
      expect((await search(alice, `q=${w}&limit=1`)).map((m) => m.id)).toEqual([dense.id]);
    });

    it('answers bad queries with invalid', async () => {
      const alice = await newUser('alice');
      for (const query of ['', 'q=', 'q=%20%20', 'q=!!!', 'q=a&limit=0', 'q=a&limit=500', 'q=a&channelId=nope', 'q=a&before=yesterday', `q=${'a'.repeat(201)}`]) {
        const response = await api().get(`/api/search?${query}`).set('Authorization', as(alice));
        expect([query, response.status, errorOf(response).code]).toEqual([query, 400, 'invalid']);
      }
    });
  });

  describe('pins', () => {
    it('pins, lists and unpins; a deleted message leaves the pins; bad input is invalid, strangers not_found', async () => {
      const [alice, bob, stranger] = await Promise.all([newUser('alice'), newUser('bob'), newUser('stranger')]);
      const { general } = await newWorkspace(alice, [bob]);
      const [first, second] = [await send(alice, general.id, 'pin me'), await send(bob, general.id, 'me too')];
      const pins = () => api().get(`/api/channels/${general.id}/pins`).set('Authorization', as(bob));

      await api().post(`/api/channels/${general.id}/pins`).set('Authorization', as(bob)).send({ messageId: first.id }).expect(201);
      const pinned = await api().post(`/api/channels/${general.id}/pins`).set('Authorization', as(alice)).send({ messageId: second.id }).expect(201);
      expect(pinned.body).toMatchObject({ pin: { message: { id: second.id }, pinnedBy: alice.id } });
      expect(((await pins().expect(200)).body as PinsResponse).pins.map((p) => p.message.id).sort()).toEqual([first.id, second.id].sort());

      await api().delete(`/api/channels/${general.id}/pins/${first.id}`).set('Authorization', as(alice)).expect(204);
      expect(errorOf(await api().delete(`/api/channels/${general.id}/pins/${first.id}`).set('Authorization', as(alice))).code).toBe('not_found');
      await ok([command(bob, 'message.delete', { channelId: general.id, messageId: second.id })]);
      expect(((await pins().expect(200)).body as PinsResponse).pins).toEqual([]);

      expect(errorOf(await api().post(`/api/channels/${general.id}/pins`).set('Authorization', as(bob)).send({ messageId: 'nope' })).code).toBe('invalid');
      expect(errorOf(await api().post(`/api/channels/${general.id}/pins`).set('Authorization', as(bob)).send({ messageId: randomUUID() })).code).toBe('not_found');
      expect(errorOf(await api().post(`/api/channels/${general.id}/pins`).set('Authorization', as(bob)).send({ messageId: second.id })).code).toBe('not_found');
      expect((await api().get(`/api/channels/${general.id}/pins`).set('Authorization', as(stranger))).status).toBe(404);
    });
  });

  describe('unread and mentions', () => {
    it('match counts computed from the stored messages after sends, threads, reads from two devices and deletes', async () => {
      const [alice, bob, carol] = await Promise.all([newUser('alice'), newUser('bob'), newUser('carol')]);
      const { workspace, general } = await newWorkspace(alice, [bob, carol]);
      const ch = general.id;

      const m1 = await send(alice, ch, 'hello everyone');
      const m2 = await send(bob, ch, `hey @${carol.username} look`);
      const rootByCarol = await send(carol, ch, 'a thread of mine');
      await send(bob, ch, `@channel standup in 5`);
      const rootByAlice = await send(alice, ch, 'alice thread');
      await send(bob, ch, 'reply in carol thread', rootByCarol.id);
      await send(alice, ch, 'reply in alice thread', rootByAlice.id);
      await send(bob, ch, `reply mentioning @${carol.username}`, rootByAlice.id);
      await send(bob, ch, 'another reply in alice thread', rootByAlice.id);
      const m10 = await send(alice, ch, `@${bob.username} and @${carol.username} please`);
      // Carol reads from her phone up to m2, then from her laptop an older seq (no effect), then bob deletes m2 and one more.
      await ok([command(carol, 'read', { channelId: ch, seq: m2.seq })]);
      await ok([command(carol, 'read', { channelId: ch, seq: m1.seq })]);
      await ok([command(bob, 'message.delete', { channelId: ch, messageId: m2.id })]);
      const m11 = await send(bob, ch, `late @${carol.username}`);
      await ok([command(bob, 'message.delete', { channelId: ch, messageId: m11.id })]);
      await send(carol, ch, 'my own message');
      // Bob reads everything up to m10 from one device.
      await ok([command(bob, 'read', { channelId: ch, seq: m10.seq })]);

      const stored = await history(alice, ch);
      // The mention and reply ledgers are derived off the send path: wait until they caught up, then compare.
      const counts = async (user: TestUser) => {
        const summary = (await channels(user, workspace.id)).find((c) => c.id === ch)!;
        return { expected: { user: user.username, ...expectedCounts(stored, user, summary.readSeq) }, actual: { user: user.username, unread: summary.unread, mentions: summary.mentions } };
      };
      for (const user of [alice, bob, carol]) {
        await waitFor(`${user.username}'s counts derived`, async () => {
          const { expected, actual } = await counts(user);
          return JSON.stringify(expected) === JSON.stringify(actual);
        }, 10_000).catch(() => undefined);
        const { expected, actual } = await counts(user);
        expect(expected).toEqual(actual);
      }
      const forCarol = (await channels(carol, workspace.id)).find((c) => c.id === ch)!;
      expect(forCarol.readSeq).toBe(m2.seq);
      // Sanity of the rule itself: carol follows her own thread and the one she was mentioned in.
      expect(forCarol.unread).toBeGreaterThan(0);
      expect(forCarol.mentions).toBe(3);
    });

    it('leaves out my own messages whether the range above my marker spans a few partitions or many', async () => {
      const [alice, bob] = await Promise.all([newUser('alice'), newUser('bob')]);
      const { workspace, general } = await newWorkspace(alice, [bob]);
      const ch = general.id;
      // More than SENT_QUERY_BUCKETS_MAX (4) buckets of BUCKET_SIZE seqs: alice sends every third message.
      const total = BUCKET_SIZE * 5 + 3;
      const sends = Array.from({ length: total }, (_, i) => command(i % 3 === 0 ? alice : bob, 'message.send', { channelId: ch, clientMsgId: randomUUID(), text: `m${i}` }));
      await ok(sends);
      const aliceSent = Math.ceil(total / 3);
      const unreadOf = async (user: TestUser) => (await channels(user, workspace.id)).find((c) => c.id === ch)!;
      // Never read: 6 partitions above the marker (one query over the channel).
      expect(await unreadOf(alice)).toMatchObject({ readSeq: 0, lastSeq: total, unread: total - aliceSent });
      expect(await unreadOf(bob)).toMatchObject({ readSeq: 0, unread: aliceSent });
      // Read up to a seq 2 partitions back (one query per partition).
      const readTo = total - BUCKET_SIZE - 2;
      await ok([command(alice, 'read', { channelId: ch, seq: readTo })]);
      const mineAbove = Array.from({ length: total }, (_, i) => i + 1).filter((seq) => seq > readTo && (seq - 1) % 3 === 0).length;
      expect(await unreadOf(alice)).toMatchObject({ readSeq: readTo, unread: total - readTo - mineAbove });
    });

    it('refuses read markers of channels the user is not in', async () => {
      const [alice, bob] = await Promise.all([newUser('alice'), newUser('bob')]);
      const { general } = await newWorkspace(alice, []);
      expect(await codeOf([command(bob, 'read', { channelId: general.id, seq: 1 })])).toBe('not_found');
    });
  });
});

/**
 * The counts straight from stored messages, by the rule of read-state/unread-counter.ts: after the
 * marker, not the user's, not deleted, top-level or in a thread the user takes part in (root
 * author, replier, or mentioned in a reply); mentions = those that name the user or @channel
 * (top-level).
 */
function expectedCounts(messages: Message[], user: TestUser, readSeq: number): { unread: number; mentions: number } {
  const byId = new Map(messages.map((m) => [m.id, m]));
  const participates = (rootId: string): boolean =>
    byId.get(rootId)?.senderId === user.id ||
    messages.some((m) => m.threadId === rootId && (m.senderId === user.id || (m.mentions ?? []).includes(user.id)));
  const counted = messages.filter((m) => m.seq > readSeq && m.senderId !== user.id && !m.deleted && (!m.threadId || participates(m.threadId)));
  const mentions = counted.filter((m) => (m.mentions ?? []).includes(user.id) || (!m.threadId && (m.mentions ?? []).includes('channel')));
  return { unread: counted.length, mentions: mentions.length };
}
