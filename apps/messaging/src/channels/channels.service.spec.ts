import { AppError } from '@chat/service-kit';
import { type Messaging, testId, wire } from '../testing/fakes';

const alice = { id: testId(1, 'aaaaaaaa'), username: 'alice' };
const bob = { id: testId(2, 'bbbbbbbb'), username: 'bob' };
const carol = { id: testId(3, 'cccccccc'), username: 'carol' };
const dave = { id: testId(4, 'dddddddd'), username: 'dave' };

async function code(work: Promise<unknown>): Promise<string> {
  try {
    await work;
    return 'ok';
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
}

async function setup(): Promise<{ m: Messaging; workspaceId: string }> {
  const m = wire({ userProjectionWaitMs: 0 });
  for (const u of [alice, bob, carol, dave]) {
    await m.users.project({ userId: u.id, username: u.username, displayName: u.username.toUpperCase(), registeredAt: '2025-01-01T00:00:00.000Z' });
  }
  const workspace = await m.workspaces.create(alice, 'acme');
  await m.invitations.invite(alice, workspace.id, { userId: bob.id });
  await m.invitations.accept(bob, workspace.id);
  await m.invitations.invite(bob, workspace.id, { username: 'CAROL' });
  await m.invitations.accept(carol, workspace.id);
  return { m, workspaceId: workspace.id };
}

describe('workspaces', () => {
  it('makes the creator owner, creates #general and joins the creator and every added member to it', async () => {
    const { m, workspaceId } = await setup();
    expect(await m.workspaces.listMine(alice)).toEqual([expect.objectContaining({ id: workspaceId, name: 'acme', createdBy: alice.id, role: 'owner' })]);
    expect(await m.workspaces.listMine(carol)).toEqual([expect.objectContaining({ id: workspaceId, role: 'member' })]);
    const general = await m.channels.findNamed(workspaceId, 'general');
    expect(general).toMatchObject({ kind: 'public', private: false, createdBy: alice.id });
    const joined = m.fakes.events.of('membership').filter((e) => e.channel.id === general!.id && e.change === 'joined');
    expect(joined.map((e) => e.userId)).toEqual([alice.id, bob.id, carol.id]);
    expect(await m.membership.memberships(carol)).toEqual({ workspaceIds: [workspaceId], channelIds: [general!.id] });
  });

  it('invites by username ignoring case; nobody is a member before accepting; conflict for members, not_found for unknown users and non-member callers', async () => {
    const { m, workspaceId } = await setup();
    expect(await code(m.invitations.invite(alice, workspaceId, { username: 'Dave' }))).toBe('ok');
    expect(m.fakes.workspaces.members.get(`${workspaceId}/${dave.id}`)).toBeUndefined();
    expect(await m.invitations.pending(dave)).toEqual([expect.objectContaining({ workspaceId, workspaceName: 'acme', userId: dave.id, invitedBy: alice.id })]);
    expect(await code(m.invitations.invite(alice, workspaceId, { username: 'Carol' }))).toBe('conflict');
    expect(await code(m.invitations.invite(alice, workspaceId, { username: 'nobody' }))).toBe('not_found');
    expect(await code(m.invitations.invite(alice, workspaceId, { userId: testId(99) }))).toBe('not_found');
    expect(await code(m.invitations.invite(dave, workspaceId, { userId: dave.id }))).toBe('not_found');
    expect(await code(m.invitations.decline(dave, workspaceId))).toBe('ok');
    expect(await code(m.invitations.accept(dave, workspaceId))).toBe('not_found');
    expect(await m.workspaces.listMine(dave)).toEqual([]);
  });

  it('leaving takes the user out of every channel of the workspace, DMs included, then announces it; the last owner cannot leave', async () => {
    const { m, workspaceId } = await setup();
    const random = await m.channels.create(carol, workspaceId, { name: 'random', private: true });
    const { channel: dm } = await m.channels.openDm(alice, workspaceId, [carol.id]);
    expect(await code(m.workspaces.removeMember(alice, workspaceId, alice.id))).toBe('conflict');
    expect(await code(m.workspaces.removeMember(carol, workspaceId, carol.id))).toBe('ok');
    expect(await m.workspaces.listMine(carol)).toEqual([]);
    expect(await m.membership.memberships(carol)).toEqual({ workspaceIds: [], channelIds: [] });
    const left = m.fakes.events.of('membership').filter((e) => e.userId === carol.id && e.change === 'left');
    expect(left.map((e) => e.channel.id).sort()).toEqual([random.id, dm.id, (await m.channels.findNamed(workspaceId, 'general'))!.id].sort());
    expect(m.fakes.workspaceEvents.changes.at(-1)).toEqual({ workspaceId, userId: carol.id, change: 'left' });
    expect(await code(m.workspaces.removeMember(carol, workspaceId, carol.id))).toBe('not_found');
  });

  it('owners remove members; members cannot remove anyone, and owners cannot be removed', async () => {
    const { m, workspaceId } = await setup();
    expect(await code(m.workspaces.removeMember(bob, workspaceId, carol.id))).toBe('forbidden');
    expect(await code(m.workspaces.removeMember(bob, workspaceId, alice.id))).toBe('forbidden');
    expect(await code(m.workspaces.removeMember(alice, workspaceId, dave.id))).toBe('not_found');
    expect(await code(m.workspaces.removeMember(alice, workspaceId, carol.id))).toBe('ok');
    expect(m.fakes.workspaces.members.get(`${workspaceId}/${carol.id}`)).toBeUndefined();
    // Back only through a new invitation.
    await m.invitations.invite(bob, workspaceId, { userId: carol.id });
    expect((await m.invitations.accept(carol, workspaceId)).role).toBe('member');
  });

  it('waits for the users projection to catch up before answering not_found', async () => {
    const m = wire({ userProjectionWaitMs: 1000 });
    const workspace = await m.workspaces.create(alice, 'acme');
    const start = m.fakes.clock.now().getTime();
    let polls = 0;
    const byId = m.fakes.users.byId.bind(m.fakes.users);
    m.fakes.users.byId = async (id) => {
      polls += 1;
      if (polls === 3) await m.users.project({ userId: bob.id, username: 'bob', displayName: 'Bob', registeredAt: '2025-01-01T00:00:00.000Z' });
      return byId(id);
    };
    await m.invitations.invite(alice, workspace.id, { userId: bob.id });
    expect(await m.invitations.pending(bob)).toHaveLength(1);
    expect(await code(m.invitations.invite(alice, workspace.id, { userId: carol.id }))).toBe('not_found');
    expect(m.fakes.clock.now().getTime() - start).toBeGreaterThanOrEqual(1000);
  });
});

describe('channels', () => {
  it('keeps names unique per workspace (conflict) and leaves no orphan row behind', async () => {
    const { m, workspaceId } = await setup();
    await m.channels.create(bob, workspaceId, { name: 'random' });
    const rows = m.fakes.channels.channels.size;
    expect(await code(m.channels.create(carol, workspaceId, { name: 'random', private: true }))).toBe('conflict');
    expect(m.fakes.channels.channels.size).toBe(rows);
    const other = await m.workspaces.create(dave, 'other');
    expect(await code(m.channels.create(dave, other.id, { name: 'random' }))).toBe('ok');
  });

  it('lists public channels, private ones the caller is in and the caller DMs, with read state', async () => {
    const { m, workspaceId } = await setup();
    const secret = await m.channels.create(alice, workspaceId, { name: 'secret', private: true });
    const { channel: dm } = await m.channels.openDm(alice, workspaceId, [bob.id]);
    await m.channels.openDm(bob, workspaceId, [carol.id]);
    const general = (await m.channels.findNamed(workspaceId, 'general'))!;
    await m.fakes.heads.advance(general.id, 7);
    await m.fakes.markers.advance(alice.id, general.id, 5);

    const forAlice = await m.channels.list(alice, workspaceId);
    expect(forAlice.map((c) => c.name).sort()).toEqual(['alice, bob', 'general', 'secret']);
    expect(forAlice.find((c) => c.id === general.id)).toMatchObject({ member: true, lastSeq: 7, readSeq: 5, unread: 2, mentions: 0 });
    expect(forAlice.find((c) => c.id === dm.id)).toMatchObject({ kind: 'dm', memberIds: [alice.id, bob.id].sort(), member: true, private: true });

    const forCarol = await m.channels.list(carol, workspaceId);
    expect(forCarol.map((c) => c.name).sort()).toEqual(['bob, carol', 'general']);
    expect(forCarol.some((c) => c.id === secret.id)).toBe(false);
    expect(await code(m.channels.list(dave, workspaceId))).toBe('not_found');
  });

  it('shows a public channel to non-members as not joined, without unread counts', async () => {
    const { m, workspaceId } = await setup();
    const open = await m.channels.create(alice, workspaceId, { name: 'open' });
    await m.fakes.heads.advance(open.id, 3);
    expect((await m.channels.list(bob, workspaceId)).find((c) => c.id === open.id)).toMatchObject({ member: false, lastSeq: 3, readSeq: 0, unread: 0 });
  });

  it('gives the same set of users the same DM whoever opens it (201 then 200)', async () => {
    const { m, workspaceId } = await setup();
    const first = await m.channels.openDm(alice, workspaceId, [carol.id, bob.id]);
    const second = await m.channels.openDm(carol, workspaceId, [alice.id, bob.id, carol.id]);
    const pair = await m.channels.openDm(alice, workspaceId, [bob.id]);
    expect(first.created).toBe(true);
    expect(second).toEqual({ channel: first.channel, created: false });
    expect(pair.channel.id).not.toBe(first.channel.id);
    expect(first.channel.name).toBe('alice, bob, carol');
    for (const u of [alice, bob, carol]) expect(await m.fakes.members.isMember(first.channel.id, u.id)).toBe(true);
  });

  it('refuses a DM with someone outside the workspace, and a caller outside it', async () => {
    const { m, workspaceId } = await setup();
    expect(await code(m.channels.openDm(alice, workspaceId, [dave.id]))).toBe('not_found');
    expect(await code(m.channels.openDm(dave, workspaceId, [alice.id]))).toBe('not_found');
  });

  it('re-adds DM members a crashed creation missed when the DM is opened again', async () => {
    const { m, workspaceId } = await setup();
    const { channel } = await m.channels.openDm(alice, workspaceId, [bob.id]);
    await m.fakes.members.remove(channel, bob.id);
    await m.channels.openDm(alice, workspaceId, [bob.id]);
    expect(await m.fakes.members.isMember(channel.id, bob.id)).toBe(true);
  });

  describe('members', () => {
    it('lets workspace members join public channels and add other workspace members', async () => {
      const { m, workspaceId } = await setup();
      const open = await m.channels.create(alice, workspaceId, { name: 'open' });
      await m.membership.join(bob, open.id, bob.id);
      await m.membership.join(bob, open.id, carol.id);
      expect(await m.fakes.members.isMember(open.id, carol.id)).toBe(true);
      expect(m.fakes.events.of('membership').filter((e) => e.channel.id === open.id).map((e) => [e.userId, e.change])).toEqual([
        [alice.id, 'joined'],
        [bob.id, 'joined'],
        [carol.id, 'joined'],
      ]);
      expect(await code(m.membership.join(bob, open.id, dave.id))).toBe('not_found');
      expect(await code(m.membership.join(dave, open.id, dave.id))).toBe('not_found');
    });

    it('lets only members of a private channel invite; it is invisible (not_found) to others', async () => {
      const { m, workspaceId } = await setup();
      const secret = await m.channels.create(alice, workspaceId, { name: 'secret', private: true });
      expect(await code(m.membership.join(bob, secret.id, bob.id))).toBe('not_found');
      expect(await code(m.membership.join(alice, secret.id, bob.id))).toBe('ok');
      expect(await code(m.membership.join(bob, secret.id, carol.id))).toBe('ok');
      expect(await code(m.access.visible(secret.id, dave.id))).toBe('not_found');
    });

    it('leaves with an event, refuses leaving twice, and keeps DM members fixed', async () => {
      const { m, workspaceId } = await setup();
      const general = (await m.channels.findNamed(workspaceId, 'general'))!;
      await m.membership.leave(bob, general.id);
      expect(m.fakes.events.of('membership').at(-1)).toMatchObject({ userId: bob.id, change: 'left' });
      expect(await code(m.membership.leave(bob, general.id))).toBe('not_found');
      expect((await m.membership.memberships(bob)).channelIds).toEqual([]);
      const { channel: dm } = await m.channels.openDm(alice, workspaceId, [bob.id]);
      expect(await code(m.membership.leave(bob, dm.id))).toBe('forbidden');
      expect(await code(m.membership.join(alice, dm.id, carol.id))).toBe('forbidden');
      expect(await code(m.membership.join(carol, dm.id, carol.id))).toBe('not_found');
    });
  });
});
