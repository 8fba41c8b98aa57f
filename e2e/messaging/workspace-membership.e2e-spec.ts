// Workspace membership end to end, with auth, messaging, presence and a gateway as processes: an
// invitation makes nobody a member until it is accepted; a member removed by an owner (or who
// leaves) is taken out of every channel room and the workspace room at once, so their open socket
// receives neither the workspace's messages nor its members' presence, and presence stops showing
// them to the workspace.
import { type Presence } from '@chat/contracts';
import { sleep, waitFor } from '@chat/testing';
import { ChatUser, type Device } from '../support/chat-client';
import { TestSystem } from '../support/test-system';
import { Ears } from '../presence/presence-probe';

describe('workspace membership', () => {
  let system: TestSystem;
  let gateway: string;
  let alice: ChatUser;
  let bob: ChatUser;
  let carol: ChatUser;
  /** Each test's newcomer shares no other workspace with alice (presence is scoped by all of them). */
  let dave: ChatUser;
  let erin: ChatUser;
  const users = (): ChatUser[] => [alice, bob, carol, dave, erin].filter(Boolean);

  beforeAll(async () => {
    system = await TestSystem.start({
      services: ['auth', 'messaging', 'presence', 'gateway'],
      env: { gateway: { PRESENCE_FLUSH_MS: '50' } },
    });
    gateway = system.gatewayUrl(0);
    [alice, bob, carol, dave, erin] = await Promise.all(['alice', 'bob', 'carol', 'dave', 'erin'].map((name) => ChatUser.register(gateway, name)));
  }, 240_000);

  afterAll(async () => {
    for (const user of users()) for (const device of user.devices) device.close();
    await system?.stop();
    await system?.dropData();
  }, 120_000);

  const leftOn = (device: Device): Set<string> => {
    const left = new Set<string>();
    device.socket.on('channel:left', ({ channel }) => left.add(channel.id));
    return left;
  };

  async function presenceOf(viewer: ChatUser, target: ChatUser): Promise<Presence | undefined> {
    const answer = await viewer.request<{ presence: Presence[] }>('GET', `/api/presence?userIds=${target.id}`);
    expect(answer.status).toBe(200);
    return answer.body.presence.find((p) => p.userId === target.id);
  }

  it('an invitation makes nobody a member until accepted; accepting joins #general on the open socket', async () => {
    const { workspace, general } = await alice.createWorkspace();
    const device = await dave.connect(gateway);
    expect((await alice.request('POST', `/api/workspaces/${workspace.id}/members`, { username: dave.username })).status).toBe(201);
    expect((await dave.request('GET', `/api/workspaces/${workspace.id}/channels`)).status).toBe(404);
    expect((await dave.request<{ invitations: { workspaceId: string }[] }>('GET', '/api/me/invitations')).body.invitations.map((i) => i.workspaceId)).toEqual([
      workspace.id,
    ]);
    expect((await dave.request('POST', `/api/me/invitations/${workspace.id}/accept`)).status).toBe(200);
    await waitFor('channel:joined of #general on the open socket', () => device.joined.has(general.id));
    const sent = await alice.connect(gateway).then((d) => d.sendOk(general.id, 'welcome dave'));
    await waitFor('the message on dave\'s socket', () => device.received.some((r) => r.message.id === sent.id));
  });

  it('a removed member stops receiving the workspace (messages, presence) on their open socket, and presence stops showing them', async () => {
    const { workspace, general } = await alice.createWorkspace();
    await alice.addToWorkspace(workspace.id, bob);
    const aliceDevice = await alice.connect(gateway);
    const bobDevice = await bob.connect(gateway);
    const bobLeft = leftOn(bobDevice);
    const [aliceEars, bobEars] = [new Ears(aliceDevice), new Ears(bobDevice)];
    await waitFor('bob online to alice', async () => (await presenceOf(alice, bob))?.status === 'online');

    expect((await alice.request('DELETE', `/api/workspaces/${workspace.id}/members/${bob.id}`)).status).toBe(204);
    await waitFor('channel:left of #general on bob\'s socket', () => bobLeft.has(general.id));
    await waitFor('presence to stop showing bob to alice', async () => (await presenceOf(alice, bob)) === undefined);
    expect((await bob.request('GET', `/api/workspaces/${workspace.id}/channels`)).status).toBe(404);

    // carol joins and comes online: alice hears it, bob (removed) must not; nor a message in #general.
    await alice.addToWorkspace(workspace.id, carol);
    await carol.connect(gateway);
    await waitFor('alice to hear carol online', () => aliceEars.statusesOf(carol.id).includes('online'));
    const sent = await aliceDevice.sendOk(general.id, 'after bob left');
    await waitFor('alice\'s own copy', () => aliceDevice.received.some((r) => r.message.id === sent.id));
    // Both went out from this one gateway; leave time for a wrongly routed copy to arrive.
    await sleep(1_000);
    expect(bobEars.statusesOf(carol.id)).toEqual([]);
    expect(bobDevice.received.some((r) => r.message.channelId === general.id && r.message.id === sent.id)).toBe(false);
  });

  it('a member who leaves is out of the workspace; the last owner cannot leave', async () => {
    const { workspace } = await alice.createWorkspace();
    await alice.addToWorkspace(workspace.id, erin);
    await waitFor('presence to show erin to alice', async () => (await presenceOf(alice, erin)) !== undefined);
    const lastOwner = await alice.request<{ error: { code: string } }>('DELETE', `/api/workspaces/${workspace.id}/members/me`);
    expect([lastOwner.status, lastOwner.body.error.code]).toEqual([409, 'conflict']);
    expect((await erin.request('DELETE', `/api/workspaces/${workspace.id}/members/me`)).status).toBe(204);
    expect((await erin.request<{ workspaces: { id: string }[] }>('GET', '/api/workspaces')).body.workspaces.map((w) => w.id)).not.toContain(workspace.id);
    await waitFor('presence to stop showing erin to alice', async () => (await presenceOf(alice, erin)) === undefined);
  });
});
