// Files end to end, through the gateway (one origin) to auth, messaging and files as processes,
// with the real S3 server, PostgreSQL and Kafka: upload to a presigned URL, complete, attach to a
// message, and download as another member of the channel (exact bytes); a non-member gets
// not_found. Attaching someone else's file, a file still uploading or an unknown file is refused
// with its own code and stores no message.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { type Channel, type ErrorBody, type FileMeta, type Message } from '@chat/contracts';
import { waitFor } from '@chat/testing';
import { ChatUser, type Device } from '../support/chat-client';
import { TestSystem } from '../support/test-system';

interface Started {
  file: FileMeta;
  upload: { url: string; method: 'PUT'; headers: Record<string, string> };
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('file attachments', () => {
  let system: TestSystem;
  let gateway: string;
  let owner: ChatUser;
  let member: ChatUser;
  let outsider: ChatUser;
  let channel: Channel;
  let ownerDevice: Device;
  let memberDevice: Device;

  beforeAll(async () => {
    system = await TestSystem.start({
      services: ['auth', 'messaging', 'files', 'gateway'],
      env: { files: { FILES_THUMBNAIL_SIZE: '64' }, messaging: { FILE_PROJECTION_WAIT_MS: '3000' } },
    });
    gateway = system.gatewayUrl(0);
    [owner, member, outsider] = await Promise.all([
      ChatUser.register(gateway, 'owner'),
      ChatUser.register(gateway, 'member'),
      ChatUser.register(gateway, 'outsider'),
    ]);
    const { workspace } = await owner.createWorkspace();
    await owner.addToWorkspace(workspace.id, member);
    await owner.addToWorkspace(workspace.id, outsider);
    channel = await owner.createChannel(workspace.id, { private: true });
    await owner.addToChannel(channel.id, member);
    ownerDevice = await owner.connect(gateway);
    memberDevice = await member.connect(gateway);
  }, 240_000);

  afterAll(async () => {
    for (const user of [owner, member, outsider]) for (const device of user?.devices ?? []) device.close();
    await system?.stop();
    await system?.dropData();
  }, 120_000);

  async function start(user: ChatUser, name: string, contentType: string, size: number): Promise<Started> {
    const answer = await user.request<Started>('POST', '/api/files', { name, contentType, size });
    if (answer.status !== 201) throw new Error(`start upload: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  async function upload(user: ChatUser, name: string, contentType: string, bytes: Uint8Array): Promise<FileMeta> {
    const started = await start(user, name, contentType, bytes.length);
    const put = await fetch(started.upload.url, { method: started.upload.method, headers: started.upload.headers, body: bytes });
    expect(put.status).toBe(200);
    const completed = await user.request<{ file: FileMeta }>('POST', `/api/files/${started.file.id}/complete`);
    expect(completed.status).toBe(200);
    return completed.body.file;
  }

  /** A GET through the gateway with the user's token, the redirect not followed. */
  async function get(user: ChatUser, path: string): Promise<Response> {
    return fetch(new URL(path, gateway), { redirect: 'manual', headers: { authorization: `Bearer ${await user.token()}` } });
  }

  it('upload → complete → attach → another member downloads the exact bytes → a non-member gets not_found', async () => {
    const bytes = new Uint8Array(Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(300_000)]));
    const file = await upload(owner, 'plan.pdf', 'application/pdf', bytes);
    expect(file).toMatchObject({ status: 'ready', size: bytes.length, ownerId: owner.id });

    const sent = await ownerDevice.send({ channelId: channel.id, text: 'the plan', fileIds: [file.id] });
    if (!sent.ok) throw new Error(`send failed: ${sent.error.code} ${sent.error.message}`);
    const expected = [{ id: file.id, name: 'plan.pdf', contentType: 'application/pdf', size: bytes.length }];
    expect(sent.message.files).toEqual(expected);

    // message:new, history and sync all carry the file.
    await waitFor('message:new on the member', () => memberDevice.messagesOf(channel.id).find((m) => m.id === sent.message.id));
    expect(memberDevice.messagesOf(channel.id).find((m) => m.id === sent.message.id)?.files).toEqual(expected);
    expect((await member.history(channel.id)).find((m) => m.id === sent.message.id)?.files).toEqual(expected);
    const synced = await memberDevice.sync({ channels: [{ channelId: channel.id, afterSeq: 0 }] });
    if (!synced.ok) throw new Error('sync failed');
    expect(synced.messages.find((m: Message) => m.id === sent.message.id)?.files).toEqual(expected);

    const redirect = await waitFor('the share to reach files', async () => {
      const answer = await get(member, `/api/files/${file.id}`);
      return answer.status === 302 ? answer : undefined;
    });
    const location = redirect.headers.get('location') ?? '';
    // The bytes come from the object store, not through the gateway.
    expect(new URL(location).origin).not.toBe(new URL(gateway).origin);
    const fetched = await fetch(location);
    expect(fetched.status).toBe(200);
    expect(sha256(new Uint8Array(await fetched.arrayBuffer()))).toBe(sha256(bytes));

    const refused = await get(outsider, `/api/files/${file.id}`);
    expect(refused.status).toBe(404);
    expect(((await refused.json()) as ErrorBody).error.code).toBe('not_found');
  });

  it('deleting the message takes the download away from the channel members; the owner keeps it', async () => {
    const file = await upload(owner, 'draft.txt', 'text/plain', new TextEncoder().encode('a draft that gets retracted\n'));
    const sent = await ownerDevice.send({ channelId: channel.id, text: 'oops, wrong channel', fileIds: [file.id] });
    if (!sent.ok) throw new Error(`send failed: ${sent.error.code} ${sent.error.message}`);
    await waitFor('the share to reach files', async () => (await get(member, `/api/files/${file.id}`)).status === 302);

    expect(await ownerDevice.raw('message:delete', [{ channelId: channel.id, messageId: sent.message.id }])).toEqual({ ok: true });
    await waitFor('the revocation to reach files', async () => (await get(member, `/api/files/${file.id}`)).status === 404);
    const refused = await get(member, `/api/files/${file.id}`);
    expect(((await refused.json()) as ErrorBody).error.code).toBe('not_found');
    expect((await get(owner, `/api/files/${file.id}`)).status).toBe(302);
  });

  it('an attached image carries a thumbnailUrl that serves a thumbnail of the configured size', async () => {
    const image = await sharp({ create: { width: 256, height: 128, channels: 3, background: '#2288cc' } }).jpeg().toBuffer();
    const file = await upload(owner, 'sky.jpg', 'image/jpeg', new Uint8Array(image));
    const sent = await ownerDevice.send({ channelId: channel.id, text: 'look', fileIds: [file.id] });
    if (!sent.ok) throw new Error(`send failed: ${sent.error.code}`);
    const thumbnailUrl = sent.message.files?.[0]?.thumbnailUrl;
    expect(thumbnailUrl).toBe(`/api/files/${file.id}/thumbnail`);
    const redirect = await waitFor('the thumbnail', async () => {
      const answer = await get(member, thumbnailUrl ?? '');
      return answer.status === 302 ? answer : undefined;
    });
    const bytes = Buffer.from(await (await fetch(redirect.headers.get('location') ?? '')).arrayBuffer());
    const meta = await sharp(bytes).metadata();
    expect({ width: meta.width, height: meta.height }).toEqual({ width: 64, height: 32 });
  });

  it("refuses to attach someone else's file (forbidden), a file still uploading (conflict) or an unknown file (not_found), storing no message", async () => {
    const before = (await owner.history(channel.id)).length;
    const membersFile = await upload(member, 'mine.txt', 'text/plain', new TextEncoder().encode('member notes\n'));
    const pending = await start(owner, 'later.txt', 'text/plain', 10);
    const cases: [string, string[], string][] = [
      ["someone else's file", [membersFile.id], 'forbidden'],
      ['a pending file', [pending.file.id], 'conflict'],
      ['an unknown file', [randomUUID()], 'not_found'],
    ];
    for (const [what, fileIds, code] of cases) {
      const answer = await ownerDevice.send({ channelId: channel.id, text: `with ${what}`, fileIds });
      expect({ what, ok: answer.ok, code: answer.ok ? undefined : answer.error.code }).toEqual({ what, ok: false, code });
    }
    // The member's own file, on the other hand, is theirs to attach.
    const theirs = await memberDevice.send({ channelId: channel.id, text: 'mine', fileIds: [membersFile.id] });
    expect(theirs.ok).toBe(true);
    const after = await owner.history(channel.id);
    expect(after.length).toBe(before + 1);
    expect(after.filter((m) => m.text.startsWith('with '))).toEqual([]);
  });
});
