// Threads, edits, deletes, reactions and search end to end: real Socket.IO clients on two gateway
// instances, commands through Kafka to messaging, `message:updated` fanned out by every gateway.
import { type Message, type SearchResponse, type ThreadResponse } from '@chat/contracts';
import { waitFor } from '@chat/testing';
import { ChatUser, type Device } from '../support/chat-client';
import { TestSystem } from '../support/test-system';

// Starting five processes on a busy 2-core machine can take minutes.
jest.setTimeout(300_000);

describe('message features through the gateways', () => {
  let system: TestSystem;
  let alice: ChatUser;
  let bob: ChatUser;
  let general: string;
  /** alice's phone (gateway 0) and laptop (gateway 1), bob's desktop (gateway 1). */
  let phone: Device;
  let laptop: Device;
  let desktop: Device;

  const lastUpdateOf = (device: Device, id: string): Message | undefined => device.updated.filter((m) => m.id === id).at(-1);

  beforeAll(async () => {
    system = await TestSystem.start({ services: ['auth', 'messaging', 'gateway'], gateways: 2 });
    alice = await ChatUser.register(system.gatewayUrl(0), 'alice');
    bob = await ChatUser.register(system.gatewayUrl(1), 'bob');
    const created = await alice.createWorkspace();
    general = created.general.id;
    await alice.addToWorkspace(created.workspace.id, bob);
    phone = await alice.connect(system.gatewayUrl(0), 'alice/phone');
    laptop = await alice.connect(system.gatewayUrl(1), 'alice/laptop');
    desktop = await bob.connect(system.gatewayUrl(1), 'bob/desktop');
  });

  afterAll(async () => {
    for (const device of [phone, laptop, desktop]) device?.close();
    await system?.stop();
  });

  it('converges racing edits from two devices on every receiver, as the stored text', async () => {
    const message = await phone.sendOk(general, 'draft 0');
    const edits = Array.from({ length: 6 }, (_, i) => ({ device: i % 2 === 0 ? phone : laptop, text: `draft ${i + 1} from ${i % 2 === 0 ? 'phone' : 'laptop'}` }));
    const answers = await Promise.all(edits.map(({ device, text }) => device.raw('message:edit', [{ channelId: general, messageId: message.id, text }])));
    expect(answers.every((a) => a.ok)).toBe(true);

    const stored = await waitFor('the stored text to settle', async () => (await alice.history(general)).find((m) => m.id === message.id));
    for (const device of [phone, laptop, desktop]) {
      await waitFor(`${device.name} to see 6 edits`, () => device.updated.filter((m) => m.id === message.id).length >= 6);
      expect(lastUpdateOf(device, message.id)).toMatchObject({ text: stored.text, editedAt: stored.editedAt, seq: message.seq });
    }
    // Every receiver saw the same sequence of edits.
    const seen = (device: Device) => device.updated.filter((m) => m.id === message.id).map((m) => m.text);
    expect(seen(laptop)).toEqual(seen(phone));
    expect(seen(desktop)).toEqual(seen(phone));
  });

  it("refuses to edit or delete someone else's message (forbidden), and bad input (invalid)", async () => {
    const message = await phone.sendOk(general, 'mine alone');
    expect(await desktop.raw('message:edit', [{ channelId: general, messageId: message.id, text: 'yours now' }])).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await desktop.raw('message:delete', [{ channelId: general, messageId: message.id }])).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await desktop.raw('message:edit', [{ channelId: general, messageId: message.id }])).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(await desktop.raw('message:edit', [{ channelId: general, messageId: message.id, text: ' ' }])).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(await desktop.raw('message:delete', [{ channelId: general, messageId: 'nope' }])).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(await desktop.raw('reaction:add', [{ channelId: general, messageId: message.id, emoji: 'not an emoji' }])).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(await desktop.raw('reaction:add', [{ channelId: general, messageId: message.id, emoji: ':no_such_code:' }])).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect((await alice.history(general)).find((m) => m.id === message.id)).toMatchObject({ text: 'mine alone' });
  });

  it("removes a deleted message's text from history, sync, search and pushes", async () => {
    const word = `narwhal${Date.now().toString(36)}`;
    const message = await phone.sendOk(general, `the ${word} plan`);
    // Acknowledged means stored, its search terms in the same row: found at once.
    const found = await bob.request<SearchResponse>('GET', `/api/search?q=${word}`);
    expect((found.body).results.map((r) => r.message.id)).toEqual([message.id]);
    await waitFor('bob to receive it', () => desktop.messagesOf(general).some((m) => m.id === message.id));

    expect(await laptop.raw('message:delete', [{ channelId: general, messageId: message.id }])).toEqual({ ok: true });
    for (const device of [phone, laptop, desktop]) {
      const tombstone = await waitFor(`${device.name} to see the tombstone`, () => lastUpdateOf(device, message.id));
      expect(tombstone).toMatchObject({ id: message.id, seq: message.seq, deleted: true, text: '' });
    }
    const history = await bob.history(general);
    expect(history.find((m) => m.id === message.id)).toMatchObject({ deleted: true, text: '' });
    const synced = await desktop.sync({ channels: [{ channelId: general, afterSeq: message.seq - 1 }] });
    expect(synced).toMatchObject({ ok: true });
    expect(JSON.stringify(synced)).not.toContain(word);
    expect(JSON.stringify(history)).not.toContain(word);
    expect(JSON.stringify(desktop.updated)).not.toContain(word);
    const after = await bob.request<SearchResponse>('GET', `/api/search?q=${word}`);
    expect((after.body).results).toEqual([]);
  });

  it('pushes reactions and thread reply counts to every device', async () => {
    const root = await desktop.sendOk(general, 'thread starter');
    expect(await phone.raw('reaction:add', [{ channelId: general, messageId: root.id, emoji: '🎉' }])).toEqual({ ok: true });
    expect(await laptop.raw('reaction:add', [{ channelId: general, messageId: root.id, emoji: '🎉' }])).toEqual({ ok: true });
    expect(await desktop.raw('reaction:add', [{ channelId: general, messageId: root.id, emoji: ':+1:' }])).toEqual({ ok: true });
    const reply = await phone.send({ channelId: general, text: 'a reply', threadId: root.id });
    expect(reply).toMatchObject({ ok: true, message: { threadId: root.id } });

    for (const device of [phone, laptop, desktop]) {
      const latest = await waitFor(`${device.name} to see the reply count`, () => {
        const update = lastUpdateOf(device, root.id);
        return update?.replyCount === 1 ? update : undefined;
      });
      expect(latest.reactions).toEqual([
        { emoji: ':+1:', count: 1, userIds: [bob.id] },
        { emoji: '🎉', count: 1, userIds: [alice.id] },
      ]);
    }
    const thread = await bob.request<ThreadResponse>('GET', `/api/channels/${general}/messages/${root.id}/thread`);
    expect(thread.status).toBe(200);
    expect((thread.body).replies.map((m) => m.text)).toEqual(['a reply']);
  });
});
