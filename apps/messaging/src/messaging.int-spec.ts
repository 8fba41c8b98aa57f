// messaging against real Cassandra and Kafka: REST over HTTP, commands through Kafka. One keyspace
// and one Kafka namespace per run (testing/messaging-test-app.ts); Cassandra DDL is slow on small
// machines, so every test shares them, each with its own users, workspaces and channels.
import { randomUUID } from 'node:crypto';
import {
  type Channel,
  type ChannelSummary,
  type ErrorBody,
  type HistoryResponse,
  type MembershipsResponse,
  type Message,
  type Workspace,
} from '@chat/contracts';
import { waitFor } from '@chat/testing';
import request, { type Response } from 'supertest';
import { ChannelHeads } from './messages/channel-heads';
import {
  MessagingSpec,
  type Observer,
  type Publisher,
  type RunningMessaging,
  sendCommand,
  type SpecUsers,
  startMessaging,
  type TestUser,
} from './testing/messaging-test-app';

jest.setTimeout(120_000);

/** Small, so a few dozen messages span several partitions. */
const BUCKET_SIZE = 5;

describe('messaging', () => {
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

  async function newWorkspace(owner: TestUser, members: TestUser[] = []): Promise<Workspace> {
    const response = await api().post('/api/workspaces').set('Authorization', as(owner)).send({ name: `ws ${randomUUID().slice(0, 6)}` });
    expect(response.status).toBe(201);
    const { workspace } = response.body as { workspace: Workspace };
    for (const member of members) await join(owner, member, workspace.id);
    return workspace;
  }

  /** `inviter` invites, `user` accepts: the only way into a workspace. */
  async function join(inviter: TestUser, user: TestUser, workspaceId: string): Promise<void> {
    await api().post(`/api/workspaces/${workspaceId}/invitations`).set('Authorization', as(inviter)).send({ userId: user.id }).expect(201);
    await api().post(`/api/me/invitations/${workspaceId}/accept`).set('Authorization', as(user)).expect(200);
  }

  async function channels(user: TestUser, workspaceId: string): Promise<ChannelSummary[]> {
    const response = await api().get(`/api/workspaces/${workspaceId}/channels`).set('Authorization', as(user)).expect(200);
    return (response.body as { channels: ChannelSummary[] }).channels;
  }

  async function general(user: TestUser, workspaceId: string): Promise<ChannelSummary> {
    const found = (await channels(user, workspaceId)).find((c) => c.name === 'general');
    if (!found) throw new Error('no #general');
    return found;
  }

  async function history(user: TestUser, channelId: string, query = ''): Promise<HistoryResponse> {
    const response = await api().get(`/api/channels/${channelId}/messages${query}`).set('Authorization', as(user)).expect(200);
    return response.body as HistoryResponse;
  }

  /** Sends through Kafka and waits for every reply. */
  async function send(user: TestUser, channelId: string, texts: string[]): Promise<Message[]> {
    const commands = texts.map((text) => sendCommand(user, channelId, text, { gatewayId }));
    await publish.commands(commands);
    const ids = new Set(commands.map((c) => c.commandId));
    const replies = await waitFor(`${texts.length} replies`, () => {
      const got = observer.replies.filter((r) => ids.has(r.commandId));
      return got.length >= ids.size ? got : undefined;
    });
    return commands.map((c) => {
      const reply = replies.find((r) => r.commandId === c.commandId)!;
      if (!reply.result.ok || !reply.result.message) throw new Error(`send failed: ${JSON.stringify(reply.result)}`);
      return reply.result.message;
    });
  }

  const seqs = (messages: Message[]) => messages.map((m) => m.seq);

  beforeAll(async () => {
    spec = await MessagingSpec.start({ MESSAGE_BUCKET_SIZE: String(BUCKET_SIZE) });
    ({ messaging, observer, publish, users } = spec);
  });

  afterAll(() => spec?.stop());

  it('is ready with Cassandra and Kafka up', async () => {
    const response = await api().get('/health/ready');
    expect(response.status).toBe(200);
    expect(Object.keys((response.body as { info: object }).info).sort()).toEqual(['cassandra', 'kafka']);
  });

  it('refuses requests without a valid token', async () => {
    const response = await api().get('/api/workspaces');
    expect(response.status).toBe(401);
    expect(errorOf(response).code).toBe('unauthorized');
    expect((await api().get('/api/workspaces').set('Authorization', 'Bearer nope')).status).toBe(401);
  });

  describe('workspaces', () => {
    it('creates a workspace owned by its creator, with #general', async () => {
      const alice = await newUser('alice');
      const workspace = await newWorkspace(alice);
      expect(workspace).toMatchObject({ createdBy: alice.id, role: 'owner' });
      const list = await api().get('/api/workspaces').set('Authorization', as(alice)).expect(200);
      expect((list.body as { workspaces: Workspace[] }).workspaces).toEqual([workspace]);
      expect(await channels(alice, workspace.id)).toEqual([
        expect.objectContaining({ name: 'general', kind: 'public', member: true, lastSeq: 0, readSeq: 0, unread: 0, mentions: 0 }),
      ]);
    });

    it('invites by id or username; only accepting makes a member (in #general); declining does not; unknown users and outsiders get not_found', async () => {
      const [alice, bob, carol, dave] = await Promise.all([newUser('alice'), newUser('bob'), newUser('carol'), newUser('dave')]);
      const workspace = await newWorkspace(alice);
      const invite = (body: object, caller = alice) => api().post(`/api/workspaces/${workspace.id}/invitations`).set('Authorization', as(caller)).send(body);
      const answer = (user: TestUser, verb: 'accept' | 'decline') => api().post(`/api/me/invitations/${workspace.id}/${verb}`).set('Authorization', as(user));

      // The older route invites too: nobody is added without consent.
      const viaMembers = await api().post(`/api/workspaces/${workspace.id}/members`).set('Authorization', as(alice)).send({ userId: bob.id });
      expect(viaMembers.status).toBe(201);
      const { invitation } = viaMembers.body as { invitation: Record<string, unknown> };
      expect(invitation).toMatchObject({ workspaceId: workspace.id, workspaceName: workspace.name, userId: bob.id, invitedBy: alice.id });
      expect((await api().get(`/api/workspaces/${workspace.id}/channels`).set('Authorization', as(bob))).status).toBe(404);
      expect((await api().get('/api/me/memberships').set('Authorization', as(bob)).expect(200)).body).toEqual({ workspaceIds: [], channelIds: [] });
      const pending = await api().get('/api/me/invitations').set('Authorization', as(bob)).expect(200);
      expect((pending.body as { invitations: { workspaceId: string }[] }).invitations.map((i) => i.workspaceId)).toEqual([workspace.id]);

      const accepted = await answer(bob, 'accept').expect(200);
      expect((accepted.body as { workspace: Workspace }).workspace).toMatchObject({ id: workspace.id, role: 'member' });
      expect((await answer(bob, 'accept')).status).toBe(404);
      const again = await invite({ userId: bob.id });
      expect([again.status, errorOf(again).code]).toEqual([409, 'conflict']);

      expect((await invite({ username: carol.username.toUpperCase() }, bob)).status).toBe(201);
      await answer(carol, 'decline').expect(204);
      expect((await api().get(`/api/workspaces/${workspace.id}/channels`).set('Authorization', as(carol))).status).toBe(404);
      expect((await invite({ userId: carol.id }, bob)).status).toBe(201);
      await answer(carol, 'accept').expect(200);

      const unknown = await invite({ username: 'nobody-here' });
      expect([unknown.status, errorOf(unknown).code]).toEqual([404, 'not_found']);
      expect((await invite({ userId: carol.id }, dave)).status).toBe(404);
      expect((await invite({ userId: 'not-a-uuid' })).status).toBe(400);
      expect((await answer(dave, 'accept')).status).toBe(404);

      const generalOfCarol = await general(carol, workspace.id);
      expect(generalOfCarol.member).toBe(true);
      await waitFor('membership events', () =>
        [alice, bob, carol].every(
          (u) =>
            observer.memberships.some((e) => e.channel.id === generalOfCarol.id && e.userId === u.id && e.change === 'joined') &&
            observer.workspaceMemberships.some((e) => e.workspaceId === workspace.id && e.userId === u.id && e.change === 'joined'),
        ),
      );
      const memberships = await api().get('/api/me/memberships').set('Authorization', as(carol)).expect(200);
      expect(memberships.body as MembershipsResponse).toEqual({ workspaceIds: [workspace.id], channelIds: [generalOfCarol.id] });
    });

    it('a member leaves and an owner removes one: out of every channel (left events), out of the workspace (event); the last owner stays', async () => {
      const [alice, bob, carol] = await Promise.all([newUser('alice'), newUser('bob'), newUser('carol')]);
      const workspace = await newWorkspace(alice, [bob, carol]);
      const remove = (caller: TestUser, userId: string) => api().delete(`/api/workspaces/${workspace.id}/members/${userId}`).set('Authorization', as(caller));
      const secret = (await api().post(`/api/workspaces/${workspace.id}/channels`).set('Authorization', as(bob)).send({ name: 'secret', private: true }).expect(201))
        .body as { channel: Channel };
      const dm = (await api().post(`/api/workspaces/${workspace.id}/dms`).set('Authorization', as(carol)).send({ userIds: [bob.id] }).expect(201)).body as { channel: Channel };
      const generalId = (await general(alice, workspace.id)).id;

      const lastOwner = await remove(alice, 'me');
      expect([lastOwner.status, errorOf(lastOwner).code]).toEqual([409, 'conflict']);
      const byMember = await remove(bob, carol.id);
      expect([byMember.status, errorOf(byMember).code]).toEqual([403, 'forbidden']);
      expect((await remove(bob, alice.id)).status).toBe(403);
      expect((await remove(alice, 'nobody')).status).toBe(400);

      await remove(bob, 'me').expect(204);
      expect((await api().get(`/api/workspaces/${workspace.id}/channels`).set('Authorization', as(bob))).status).toBe(404);
      expect((await api().get('/api/me/memberships').set('Authorization', as(bob)).expect(200)).body).toEqual({ workspaceIds: [], channelIds: [] });
      expect((await api().get(`/api/channels/${secret.channel.id}/messages`).set('Authorization', as(bob))).status).toBe(404);
      await waitFor('bob\'s leave events', () =>
        [generalId, secret.channel.id, dm.channel.id].every((id) => observer.memberships.some((e) => e.channel.id === id && e.userId === bob.id && e.change === 'left')) &&
        observer.workspaceMemberships.some((e) => e.workspaceId === workspace.id && e.userId === bob.id && e.change === 'left'),
      );

      await remove(alice, carol.id).expect(204);
      expect((await api().get('/api/me/memberships').set('Authorization', as(carol)).expect(200)).body).toEqual({ workspaceIds: [], channelIds: [] });
      expect((await api().get(`/api/channels/${generalId}/messages`).set('Authorization', as(carol))).status).toBe(404);
      const gone = await remove(alice, carol.id);
      expect([gone.status, errorOf(gone).code]).toEqual([404, 'not_found']);
      await waitFor('carol\'s leave event', () => observer.workspaceMemberships.some((e) => e.workspaceId === workspace.id && e.userId === carol.id && e.change === 'left'));
      // Back in only by a new invitation, accepted.
      await join(alice, carol, workspace.id);
      expect((await general(carol, workspace.id)).member).toBe(true);
    });
  });

  describe('channels', () => {
    it('keeps names unique per workspace, hides private channels from non-members, and not_found for outsiders', async () => {
      const [alice, bob, dave] = await Promise.all([newUser('alice'), newUser('bob'), newUser('dave')]);
      const workspace = await newWorkspace(alice, [bob]);
      const create = (user: TestUser, body: object) => api().post(`/api/workspaces/${workspace.id}/channels`).set('Authorization', as(user)).send(body);

      const secret = (await create(alice, { name: 'secret', private: true }).expect(201)).body as { channel: Channel };
      expect(secret.channel).toMatchObject({ name: 'secret', kind: 'private', private: true, workspaceId: workspace.id });
      const clash = await create(bob, { name: 'secret' });
      expect([clash.status, errorOf(clash).code]).toEqual([409, 'conflict']);
      expect((await create(bob, { name: 'Not A Slug' })).status).toBe(400);

      expect((await channels(alice, workspace.id)).map((c) => c.name).sort()).toEqual(['general', 'secret']);
      expect((await channels(bob, workspace.id)).map((c) => c.name)).toEqual(['general']);
      expect((await api().get(`/api/channels/${secret.channel.id}/messages`).set('Authorization', as(bob))).status).toBe(404);
      expect((await api().post(`/api/channels/${secret.channel.id}/members`).set('Authorization', as(bob)).send({ userId: bob.id })).status).toBe(404);
      expect((await api().get(`/api/workspaces/${workspace.id}/channels`).set('Authorization', as(dave))).status).toBe(404);
      expect((await create(dave, { name: 'intruder' })).status).toBe(404);

      await api().post(`/api/channels/${secret.channel.id}/members`).set('Authorization', as(alice)).send({ userId: bob.id }).expect(201);
      expect((await channels(bob, workspace.id)).map((c) => c.name).sort()).toEqual(['general', 'secret']);
    });

    it('joins and leaves public channels, reading only as a member (forbidden before joining)', async () => {
      const [alice, bob] = await Promise.all([newUser('alice'), newUser('bob')]);
      const workspace = await newWorkspace(alice, [bob]);
      const open = ((await api().post(`/api/workspaces/${workspace.id}/channels`).set('Authorization', as(alice)).send({ name: 'open' }).expect(201)).body as { channel: Channel }).channel;

      expect((await channels(bob, workspace.id)).find((c) => c.id === open.id)).toMatchObject({ member: false });
      const forbidden = await api().get(`/api/channels/${open.id}/messages`).set('Authorization', as(bob));
      expect([forbidden.status, errorOf(forbidden).code]).toEqual([403, 'forbidden']);

      await api().post(`/api/channels/${open.id}/members`).set('Authorization', as(bob)).send({ userId: bob.id }).expect(201);
      await history(bob, open.id);
      await api().delete(`/api/channels/${open.id}/members/me`).set('Authorization', as(bob)).expect(204);
      // The membership cached by the read above is gone with the leave.
      const after = await api().get(`/api/channels/${open.id}/messages`).set('Authorization', as(bob));
      expect([after.status, errorOf(after).code]).toEqual([403, 'forbidden']);
      expect((await api().delete(`/api/channels/${open.id}/members/me`).set('Authorization', as(bob))).status).toBe(404);
      await waitFor('joined and left events', () => {
        const changes = observer.memberships.filter((e) => e.channel.id === open.id && e.userId === bob.id).map((e) => e.change);
        return changes.length === 2 ? changes : undefined;
      }).then((changes) => expect(changes).toEqual(['joined', 'left']));
    });

    it('opens one DM per set of users: 201 the first time, 200 after, whoever asks', async () => {
      const [alice, bob, carol, dave] = await Promise.all([newUser('alice'), newUser('bob'), newUser('carol'), newUser('dave')]);
      const workspace = await newWorkspace(alice, [bob, carol]);
      const dm = (user: TestUser, userIds: string[]) => api().post(`/api/workspaces/${workspace.id}/dms`).set('Authorization', as(user)).send({ userIds });

      const first = await dm(alice, [bob.id, carol.id]);
      expect(first.status).toBe(201);
      const channel = (first.body as { channel: Channel }).channel;
      expect(channel).toMatchObject({ kind: 'dm', private: true, memberIds: [alice.id, bob.id, carol.id].sort() });
      const again = await dm(carol, [bob.id, alice.id, carol.id]);
      expect(again.status).toBe(200);
      expect((again.body as { channel: Channel }).channel).toEqual(channel);
      const pair = await dm(bob, [alice.id]);
      expect(pair.status).toBe(201);
      expect((pair.body as { channel: Channel }).channel.id).not.toBe(channel.id);
      expect((await dm(alice, [dave.id])).status).toBe(404);

      expect((await channels(bob, workspace.id)).filter((c) => c.kind === 'dm').map((c) => c.id).sort()).toEqual(
        [channel.id, (pair.body as { channel: Channel }).channel.id].sort(),
      );
      expect((await channels(carol, workspace.id)).filter((c) => c.kind === 'dm').map((c) => c.id)).toEqual([channel.id]);
    });
  });

  describe('messages', () => {
    it('stores sends from Kafka with seqs 1..N, announcing each and replying with the stored message', async () => {
      const alice = await newUser('alice');
      const workspace = await newWorkspace(alice);
      const { id: channelId } = await general(alice, workspace.id);
      const texts = Array.from({ length: 23 }, (_, i) => `message ${i + 1}`);

      const started = Date.now();
      const sent = await send(alice, channelId, texts);
      const elapsed = Date.now() - started;
      if (process.env['MESSAGING_TEST_FIGURES']) process.stdout.write(`one channel: ${texts.length} sends replied in ${elapsed} ms\n`);

      expect(seqs(sent)).toEqual(texts.map((_, i) => i + 1));
      expect(sent.map((m) => m.text)).toEqual(texts);
      await waitFor('delivered messages', () => observer.created.filter((m) => m.channelId === channelId).length >= texts.length);
      const created = observer.created.filter((m) => m.channelId === channelId);
      expect(created).toEqual(sent);

      const all = await history(alice, channelId, '?limit=200');
      expect(seqs(all.messages)).toEqual(texts.map((_, i) => texts.length - i));
      expect(all.messages.slice().reverse()).toEqual(sent);
      expect((await general(alice, workspace.id)).lastSeq).toBe(texts.length);
    });

    it('pages history before and after a seq across bucket boundaries, and syncs', async () => {
      const alice = await newUser('alice');
      const workspace = await newWorkspace(alice);
      const { id: channelId } = await general(alice, workspace.id);
      const other = ((await api().post(`/api/workspaces/${workspace.id}/channels`).set('Authorization', as(alice)).send({ name: 'other' }).expect(201)).body as { channel: Channel }).channel;
      await send(alice, channelId, Array.from({ length: 12 }, (_, i) => `g${i + 1}`));
      await send(alice, other.id, ['o1', 'o2', 'o3']);

      const latest = await history(alice, channelId, '?limit=5');
      expect([seqs(latest.messages), latest.hasMore]).toEqual([[12, 11, 10, 9, 8], true]);
      const before = await history(alice, channelId, '?before=8&limit=4');
      expect([seqs(before.messages), before.hasMore]).toEqual([[7, 6, 5, 4], true]);
      const oldest = await history(alice, channelId, '?before=4&limit=10');
      expect([seqs(oldest.messages), oldest.hasMore]).toEqual([[3, 2, 1], false]);
      const after = await history(alice, channelId, '?after=3&limit=6');
      expect([seqs(after.messages), after.hasMore]).toEqual([[4, 5, 6, 7, 8, 9], true]);
      const tail = await history(alice, channelId, '?after=9&limit=6');
      expect([seqs(tail.messages), tail.hasMore]).toEqual([[10, 11, 12], false]);
      expect((await api().get(`/api/channels/${channelId}/messages?limit=201`).set('Authorization', as(alice))).status).toBe(400);

      const sync = async (body: object) => (await api().post('/api/sync').set('Authorization', as(alice)).send(body).expect(200)).body as HistoryResponse;
      const synced = await sync({ channels: [{ channelId, afterSeq: 8 }, { channelId: other.id, afterSeq: 1 }] });
      expect(synced.messages.map((m) => m.text)).toEqual(['g9', 'g10', 'g11', 'g12', 'o2', 'o3']);
      expect(synced.hasMore).toBe(false);
      const cut = await sync({ channels: [{ channelId, afterSeq: 0 }, { channelId: other.id, afterSeq: 0 }], limit: 10 });
      expect([cut.messages.map((m) => m.text), cut.hasMore]).toEqual([Array.from({ length: 10 }, (_, i) => `g${i + 1}`), true]);

      const stranger = await newUser('stranger');
      const refused = await api().post('/api/sync').set('Authorization', as(stranger)).send({ channels: [{ channelId, afterSeq: 0 }] });
      expect([refused.status, errorOf(refused).code]).toEqual([404, 'not_found']);
      expect(errorOf(refused).message).toContain(channelId);
    });

    it('stores a clientMsgId once: two commands get the same message, every event of its seq the same message', async () => {
      const alice = await newUser('alice');
      const workspace = await newWorkspace(alice);
      const { id: channelId } = await general(alice, workspace.id);
      const clientMsgId = randomUUID();
      const first = sendCommand(alice, channelId, 'only once', { gatewayId, clientMsgId });
      const second = sendCommand(alice, channelId, 'only once', { gatewayId: `${gatewayId}-other`, clientMsgId });
      await publish.commands([first, second]);

      const replies = await waitFor('two replies', () => {
        const got = observer.replies.filter((r) => r.commandId === first.commandId || r.commandId === second.commandId);
        return got.length === 2 ? got : undefined;
      });
      expect(replies[0].result).toEqual(replies[1].result);
      expect(replies[0].result).toMatchObject({ ok: true, message: { seq: 1, clientMsgId, text: 'only once' } });
      expect(replies.map((r) => r.replyTo.gatewayId).sort()).toEqual([gatewayId, `${gatewayId}-other`].sort());
      await send(alice, channelId, ['next']);
      // The second command is answered by a repeat of seq 1's event (gateways deliver a seq once);
      // events of one channel share a partition, so every event of seq 1 arrives before seq 2's.
      const created = () => observer.created.filter((m) => m.channelId === channelId);
      await waitFor('the event of seq 2', () => created().some((m) => m.seq === 2));
      expect([...new Set(created().map((m) => m.seq))]).toEqual([1, 2]);
      for (const m of created().filter((c) => c.seq === 1)) expect(m).toEqual(replies[0].result.ok ? replies[0].result.message : undefined);
      expect(seqs((await history(alice, channelId)).messages)).toEqual([2, 1]);
    });

    it('answers refused commands, applies an edit, and moves the read marker forward only', async () => {
      const [alice, bob] = await Promise.all([newUser('alice'), newUser('bob')]);
      const workspace = await newWorkspace(alice);
      const { id: channelId } = await general(alice, workspace.id);
      const [m1] = await send(alice, channelId, ['one', 'two', 'three']);

      const refused = sendCommand(bob, channelId, 'let me in', { gatewayId });
      const edit = { ...refused, commandId: randomUUID(), userId: alice.id, type: 'message.edit' as const, payload: { channelId, messageId: m1.id, text: 'edited' } };
      const read = (seq: number) => ({ ...refused, commandId: randomUUID(), userId: alice.id, type: 'read' as const, payload: { channelId, seq } });
      const reads = [read(2), read(1), read(50)];
      for (const command of [refused, edit, ...reads]) await publish.command(command);

      const answered = await waitFor('five replies', () => {
        const wanted = [refused, edit, ...reads].map((c) => observer.replies.find((r) => r.commandId === c.commandId));
        return wanted.every(Boolean) ? wanted : undefined;
      });
      expect(answered.map((r) => (r!.result.ok ? 'ok' : r!.result.error.code))).toEqual(['not_found', 'ok', 'ok', 'ok', 'ok']);
      await waitFor('read marker events', () => observer.reads.filter((r) => r.channelId === channelId).length >= 2);
      expect(observer.reads.filter((r) => r.channelId === channelId)).toEqual([
        { userId: alice.id, channelId, seq: 2 },
        { userId: alice.id, channelId, seq: 3 },
      ]);
      expect(await general(alice, workspace.id)).toMatchObject({ lastSeq: 3, readSeq: 3, unread: 0 });
    });
  });

  describe('two instances in one consumer group', () => {
    it('keep every channel gap-free and every clientMsgId stored once while partitions move between them mid-burst', async () => {
      const alice = await newUser('alice');
      const workspace = await newWorkspace(alice);
      const channelIds = [(await general(alice, workspace.id)).id];
      for (let i = 0; i < 5; i++) {
        const response = await api().post(`/api/workspaces/${workspace.id}/channels`).set('Authorization', as(alice)).send({ name: `burst-${i}` }).expect(201);
        channelIds.push((response.body as { channel: Channel }).channel.id);
      }
      const perChannel = 40;
      const commands = channelIds.flatMap((channelId) =>
        Array.from({ length: perChannel }, (_, i) => sendCommand(alice, channelId, `${channelId.slice(0, 4)} ${i + 1}`, { gatewayId })),
      );
      // Each command goes out twice (a gateway retrying on another instance), so redeliveries
      // and duplicates race the rebalance too.
      const duplicates = commands.map((c) => {
        const commandId = randomUUID();
        return { ...c, commandId, replyTo: { gatewayId, requestId: commandId } };
      });

      let second: RunningMessaging | undefined;
      try {
        const started = Date.now();
        const firstHalf = commands.slice(0, commands.length / 2);
        await publish.commands(firstHalf.flatMap((c, i) => [c, duplicates[i]]));
        // The second instance joins while the first is working through the burst.
        const joining = startMessaging(spec.namespace, spec.issuer.jwksUrl, { MESSAGE_BUCKET_SIZE: String(BUCKET_SIZE) }, 'messaging-second');
        const secondHalf = commands.slice(commands.length / 2);
        await publish.commands(secondHalf.flatMap((c, i) => [c, duplicates[commands.length / 2 + i]]));
        second = await joining;

        const all = [...commands, ...duplicates];
        const ids = new Set(all.map((c) => c.commandId));
        await waitFor('a reply to every command', () => new Set(observer.replies.filter((r) => ids.has(r.commandId)).map((r) => r.commandId)).size === ids.size, 90_000);
        if (process.env['MESSAGING_TEST_FIGURES']) process.stdout.write(`two instances: ${all.length} commands replied in ${Date.now() - started} ms\n`);

        for (const channelId of channelIds) {
          const stored = (await history(alice, channelId, '?limit=200')).messages.slice().reverse();
          expect(seqs(stored)).toEqual(Array.from({ length: perChannel }, (_, i) => i + 1));
          expect(new Set(stored.map((m) => m.clientMsgId)).size).toBe(perChannel);
          expect(new Set(stored.map((m) => m.id)).size).toBe(perChannel);
        }
        // Every reply, first or duplicate, names the one stored message of its clientMsgId.
        const stored = new Map<string, Message>();
        for (const channelId of channelIds) for (const m of (await history(alice, channelId, '?limit=200')).messages) stored.set(m.clientMsgId, m);
        for (const command of all) {
          const replies = observer.replies.filter((r) => r.commandId === command.commandId);
          for (const reply of replies) expect(reply.result).toEqual({ ok: true, message: stored.get(command.payload.clientMsgId) });
        }
        // Announcements may repeat (redeliveries), but never disagree about a seq.
        for (const m of observer.created.filter((c) => channelIds.includes(c.channelId))) {
          expect(m).toEqual(stored.get(m.clientMsgId));
        }
      } finally {
        await second?.app.close();
      }
      // The survivor still has the heads right after the other instance left.
      messaging.app.get(ChannelHeads).forget(channelIds[0]);
      const [after] = await send(alice, channelIds[0], ['after the burst']);
      expect(after.seq).toBe(perChannel + 1);
    });
  });
});
