// files against the real engines: S3 (S3Proxy), PostgreSQL and Kafka. Uploads go to presigned
// URLs, downloads come from them, and what the bucket and the database hold is checked directly.
import { randomBytes, randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { type ErrorBody, type FileChangedEvent, type FileMeta } from '@chat/contracts';
import { waitFor } from '@chat/testing';
import { fetchLocation, FilesTestApp, type HttpAnswer, putUpload, sha256, type TestUser } from './testing/files-test-app';

const THUMBNAIL_SIZE = 96;
const MAX_SIZE = 1024 * 1024;

interface Started {
  file: FileMeta;
  upload: { url: string; method: 'PUT'; headers: Record<string, string> };
}

describe('files', () => {
  let files: FilesTestApp;
  let owner: TestUser;
  let member: TestUser;
  let outsider: TestUser;

  beforeAll(async () => {
    files = await FilesTestApp.start({
      FILES_MAX_SIZE_BYTES: String(MAX_SIZE),
      FILES_THUMBNAIL_SIZE: String(THUMBNAIL_SIZE),
      FILES_ALLOWED_TYPES: 'image/png,image/jpeg,application/pdf,text/plain',
    });
    [owner, member, outsider] = await Promise.all([files.user(), files.user(), files.user()]);
  }, 180_000);

  afterAll(async () => {
    await files?.stop();
  }, 120_000);

  const errorCode = (answer: HttpAnswer): { status: number; code: string | undefined } => ({
    status: answer.status,
    code: (answer.body as ErrorBody | undefined)?.error?.code,
  });

  async function start(user: TestUser, declared: { name: string; contentType: string; size: number }): Promise<Started> {
    const answer = await files.request(user, 'POST', '/api/files', declared);
    if (answer.status !== 201) throw new Error(`start upload: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body as Started;
  }

  async function upload(user: TestUser, name: string, contentType: string, bytes: Uint8Array): Promise<FileMeta> {
    const started = await start(user, { name, contentType, size: bytes.length });
    expect(await putUpload(started.upload, bytes)).toBe(200);
    const completed = await files.request(user, 'POST', `/api/files/${started.file.id}/complete`);
    expect(completed.status).toBe(200);
    return (completed.body as { file: FileMeta }).file;
  }

  const changesOf = (fileId: string): FileChangedEvent['file']['status'][] => files.changes.filter((c) => c.file.id === fileId).map((c) => c.file.status);

  it('upload, complete, then the owner and members of a channel it was shared in download the exact bytes; others get not_found', async () => {
    const bytes = new Uint8Array(Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(200_000)]));
    const started = await start(owner, { name: 'Quarterly report é.pdf', contentType: 'application/pdf', size: bytes.length });
    expect(started.file).toMatchObject({ ownerId: owner.id, status: 'pending', size: bytes.length, contentType: 'application/pdf' });
    expect(started.upload.method).toBe('PUT');
    // The upload goes to the object store, not to files.
    expect(new URL(started.upload.url).origin).toBe(files.config.S3_ENDPOINT);

    // Before the bytes arrive, complete refuses and keeps the upload open; nobody can download.
    expect(errorCode(await files.request(owner, 'POST', `/api/files/${started.file.id}/complete`))).toEqual({ status: 400, code: 'invalid' });
    expect(errorCode(await files.request(owner, 'GET', `/api/files/${started.file.id}`))).toEqual({ status: 404, code: 'not_found' });

    expect(await putUpload(started.upload, bytes)).toBe(200);
    // Only the owner may complete.
    expect(errorCode(await files.request(member, 'POST', `/api/files/${started.file.id}/complete`))).toEqual({ status: 404, code: 'not_found' });
    const completed = await files.request(owner, 'POST', `/api/files/${started.file.id}/complete`);
    expect(completed.status).toBe(200);
    const file = (completed.body as { file: FileMeta }).file;
    expect(file).toMatchObject({ id: started.file.id, status: 'ready', size: bytes.length, name: 'Quarterly report é.pdf' });
    expect(file.thumbnailUrl).toBeUndefined();
    // Completing again is harmless.
    expect((await files.request(owner, 'POST', `/api/files/${file.id}/complete`)).status).toBe(200);

    const mine = await fetchLocation(await files.request(owner, 'GET', `/api/files/${file.id}`));
    expect(mine.status).toBe(200);
    expect(sha256(mine.bytes)).toBe(sha256(bytes));
    expect(mine.contentType).toBe('application/pdf');
    expect(mine.disposition).toContain("filename*=UTF-8''Quarterly%20report%20%C3%A9.pdf");

    // Not shared yet: a would-be member gets not_found, exactly as for a file that does not exist.
    const channelId = randomUUID();
    await files.membership(channelId, member.id, 'joined');
    await files.membership(channelId, owner.id, 'joined');
    expect(errorCode(await files.request(member, 'GET', `/api/files/${file.id}`))).toEqual({ status: 404, code: 'not_found' });
    expect(errorCode(await files.request(member, 'GET', `/api/files/${randomUUID()}`))).toEqual({ status: 404, code: 'not_found' });

    await files.shared(file.id, channelId, owner.id);
    const answer = await waitFor('the share to reach files', async () => {
      const a = await files.request(member, 'GET', `/api/files/${file.id}`);
      return a.status === 302 ? a : undefined;
    });
    expect(answer.headers.get('cache-control')).toContain('no-store');
    const theirs = await fetchLocation(answer);
    expect(sha256(theirs.bytes)).toBe(sha256(bytes));
    expect(errorCode(await files.request(outsider, 'GET', `/api/files/${file.id}`))).toEqual({ status: 404, code: 'not_found' });

    // Leaving the channel takes the access away.
    await files.membership(channelId, member.id, 'left');
    await waitFor('the leave to reach files', async () => (await files.request(member, 'GET', `/api/files/${file.id}`)).status === 404);
    expect((await files.request(owner, 'GET', `/api/files/${file.id}`)).status).toBe(302);
    await waitFor('the ready event', () => changesOf(file.id).includes('ready'));
  });

  it('a deleted message takes its share back, for good; a share by another message of the channel stays', async () => {
    const file = await upload(owner, 'shared.txt', 'text/plain', new TextEncoder().encode('shared twice\n'));
    const channelId = randomUUID();
    await files.membership(channelId, member.id, 'joined');
    const [first, second] = [randomUUID(), randomUUID()];
    await files.shared(file.id, channelId, owner.id, first);
    await files.shared(file.id, channelId, owner.id, second);
    const downloads = async (user: TestUser): Promise<boolean> => (await files.request(user, 'GET', `/api/files/${file.id}`)).status === 302;
    await waitFor('the shares to reach files', () => downloads(member));

    // Records of one file share a partition, so a later record is a barrier for the earlier ones:
    // a share in a channel only `outsider` belongs to shows when everything before it was applied.
    const barrier = async (): Promise<void> => {
      const [channel, message] = [randomUUID(), randomUUID()];
      await files.membership(channel, outsider.id, 'joined');
      await files.shared(file.id, channel, owner.id, message);
      await waitFor('the barrier share', () => downloads(outsider));
      await files.shared(file.id, channel, owner.id, message, 'revoked');
      await waitFor('the barrier revocation', async () => !(await downloads(outsider)));
    };

    await files.shared(file.id, channelId, owner.id, first, 'revoked');
    await barrier();
    expect(await downloads(member)).toBe(true);

    await files.shared(file.id, channelId, owner.id, second, 'revoked');
    await waitFor('the revocation to reach files', async () => !(await downloads(member)));
    // A replayed (or late) share of the deleted message does not bring the right back.
    await files.shared(file.id, channelId, owner.id, second);
    await barrier();
    expect(errorCode(await files.request(member, 'GET', `/api/files/${file.id}`))).toEqual({ status: 404, code: 'not_found' });
    expect(await downloads(owner)).toBe(true);
  });

  it('signs download URLs valid for FILES_DOWNLOAD_URL_TTL_SECONDS', async () => {
    const file = await upload(owner, 'notes.txt', 'text/plain', new TextEncoder().encode('plain notes\n'));
    const location = (await files.request(owner, 'GET', `/api/files/${file.id}`)).headers.get('location') ?? '';
    expect(new URL(location).searchParams.get('X-Amz-Expires')).toBe(String(files.config.FILES_DOWNLOAD_URL_TTL_SECONDS));
  });

  it('refuses an upload larger than declared: complete answers invalid, and object and metadata are gone', async () => {
    const declared = new Uint8Array(Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(1_000)]));
    const started = await start(owner, { name: 'small.pdf', contentType: 'application/pdf', size: declared.length });
    // The signature covers the length: the store itself refuses a different body...
    const bigger = new Uint8Array(Buffer.concat([Buffer.from(declared), randomBytes(5_000)]));
    expect(await putUpload(started.upload, bigger)).not.toBe(200);
    // ...and a client that gets past it (here: the object written by other means) is caught by complete.
    await files.writeObject(`uploads/${started.file.id}`, bigger, 'application/pdf');
    expect(errorCode(await files.request(owner, 'POST', `/api/files/${started.file.id}/complete`))).toEqual({ status: 400, code: 'invalid' });
    expect(await files.objectKeys()).not.toEqual(expect.arrayContaining([expect.stringContaining(started.file.id)]));
    expect((await files.fileRows()).map((r) => r.id)).not.toContain(started.file.id);
    expect(errorCode(await files.request(owner, 'POST', `/api/files/${started.file.id}/complete`))).toEqual({ status: 404, code: 'not_found' });
    await waitFor('the deleted event', () => changesOf(started.file.id).includes('deleted'));
  });

  it('refuses an upload whose bytes are not of the declared type: complete answers invalid, and object and metadata are gone', async () => {
    // An executable (ELF header) declared as a PNG image.
    const bytes = new Uint8Array(Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), randomBytes(2_000)]));
    const started = await start(owner, { name: 'cat.png', contentType: 'image/png', size: bytes.length });
    expect(await putUpload(started.upload, bytes)).toBe(200);
    expect(errorCode(await files.request(owner, 'POST', `/api/files/${started.file.id}/complete`))).toEqual({ status: 400, code: 'invalid' });
    expect(await files.objectKeys()).not.toEqual(expect.arrayContaining([expect.stringContaining(started.file.id)]));
    expect((await files.fileRows()).map((r) => r.id)).not.toContain(started.file.id);

    // A PDF declared as text: refused as well.
    const pdf = new Uint8Array(Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1'));
    const asText = await start(owner, { name: 'a.txt', contentType: 'text/plain', size: pdf.length });
    expect(await putUpload(asText.upload, pdf)).toBe(200);
    expect(errorCode(await files.request(owner, 'POST', `/api/files/${asText.file.id}/complete`))).toEqual({ status: 400, code: 'invalid' });
    expect(await files.objectKeys()).not.toEqual(expect.arrayContaining([expect.stringContaining(asText.file.id)]));
  });

  it('keeps the checked bytes after complete: a PUT to the still valid upload URL changes nothing that is served', async () => {
    const checked = new TextEncoder().encode('the checked, harmless text\n');
    const started = await start(owner, { name: 'notes.txt', contentType: 'text/plain', size: checked.length });
    expect(await putUpload(started.upload, checked)).toBe(200);
    const completed = await files.request(owner, 'POST', `/api/files/${started.file.id}/complete`);
    expect(completed.status).toBe(200);
    const file = (completed.body as { file: FileMeta }).file;
    // Same length, so the signature's content-length does not stop it; not text at all.
    const swapped = new Uint8Array(Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), randomBytes(checked.length - 4)]));
    const replaced = await putUpload(started.upload, swapped);
    const served = await fetchLocation(await files.request(owner, 'GET', `/api/files/${file.id}`));
    expect(sha256(served.bytes)).toBe(sha256(checked));
    expect(file.checksum).not.toBeNull();
    // Whatever the store did with that PUT, it is not under the key files serves from.
    expect({ replaced: replaced === 200 || replaced === 403, keys: (await files.objectKeys()).filter((k) => k.startsWith(`files/${file.id}`)) }).toEqual({
      replaced: true,
      keys: [`files/${file.id}`],
    });
  });

  it('gives a name whose extension is not the checked type\'s that type\'s extension, in metadata and in the download', async () => {
    const file = await upload(owner, 'page.html', 'text/plain', new TextEncoder().encode('<script>alert(1)</script>\n'));
    expect(file.name).toBe('page.html.txt');
    const download = await fetchLocation(await files.request(owner, 'GET', `/api/files/${file.id}`));
    expect(download.contentType).toBe('text/plain');
    expect(download.disposition).toContain('filename="page.html.txt"');
    const pdf = new Uint8Array(Buffer.from('%PDF-1.4\n'));
    expect((await upload(owner, 'Report.PDF', 'application/pdf', pdf)).name).toBe('Report.PDF');
  });

  it('refuses an over-limit size (too_large) and a type outside the allow-list (invalid), storing nothing', async () => {
    const rowsBefore = await files.fileRows();
    const keysBefore = await files.objectKeys();
    expect(errorCode(await files.request(owner, 'POST', '/api/files', { name: 'huge.pdf', contentType: 'application/pdf', size: MAX_SIZE + 1 }))).toEqual({
      status: 413,
      code: 'too_large',
    });
    expect(errorCode(await files.request(owner, 'POST', '/api/files', { name: 'x.gif', contentType: 'image/gif', size: 10 }))).toEqual({ status: 400, code: 'invalid' });
    expect(errorCode(await files.request(owner, 'POST', '/api/files', { name: 'x.exe', contentType: 'application/x-msdownload', size: 10 }))).toEqual({
      status: 400,
      code: 'invalid',
    });
    expect(errorCode(await files.request(owner, 'POST', '/api/files', { name: '', contentType: 'text/plain', size: 10 }))).toEqual({ status: 400, code: 'invalid' });
    expect(errorCode(await files.request(owner, 'POST', '/api/files', { name: 'a', contentType: 'text/plain', size: -1 }))).toEqual({ status: 400, code: 'invalid' });
    expect(errorCode(await files.request(owner, 'POST', `/api/files/not-a-uuid/complete`))).toEqual({ status: 400, code: 'invalid' });
    expect(await files.fileRows()).toEqual(rowsBefore);
    expect(await files.objectKeys()).toEqual(keysBefore);
  });

  it('refuses calls without a valid token', async () => {
    const response = await fetch(`${files.url}/api/files`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(401);
  });

  it('makes a thumbnail of an image that decodes as a WebP of the configured size, beside the original', async () => {
    const image = await sharp({ create: { width: 400, height: 300, channels: 3, background: { r: 200, g: 30, b: 90 } } })
      .png()
      .toBuffer();
    const file = await upload(owner, 'photo.png', 'image/png', new Uint8Array(image));
    expect(file.thumbnailUrl).toBe(`/api/files/${file.id}/thumbnail`);
    const answer = await waitFor('the thumbnail', async () => {
      const a = await files.request(owner, 'GET', `/api/files/${file.id}/thumbnail`);
      return a.status === 302 ? a : undefined;
    });
    const thumbnail = await fetchLocation(answer);
    const meta = await sharp(Buffer.from(thumbnail.bytes)).metadata();
    expect({ format: meta.format, width: meta.width, height: meta.height }).toEqual({ format: 'webp', width: THUMBNAIL_SIZE, height: (THUMBNAIL_SIZE * 3) / 4 });
    expect(await files.objectKeys()).toEqual(expect.arrayContaining([`files/${file.id}`, `files/${file.id}.thumbnail.webp`]));
    // The thumbnail is guarded like the file.
    expect(errorCode(await files.request(outsider, 'GET', `/api/files/${file.id}/thumbnail`))).toEqual({ status: 404, code: 'not_found' });
  });

  it('gives no thumbnail to an image whose body is cut short (it does not decode), and keeps the file', async () => {
    const image = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#123456' } }).jpeg().toBuffer();
    const truncated = new Uint8Array(image.subarray(0, 40));
    const file = await upload(owner, 'broken.jpg', 'image/jpeg', truncated);
    await waitFor('the thumbnail attempt', async () => (await files.thumbnailState(file.id)) === 'failed');
    expect(errorCode(await files.request(owner, 'GET', `/api/files/${file.id}/thumbnail`))).toEqual({ status: 404, code: 'not_found' });
    expect((await files.request(owner, 'GET', `/api/files/${file.id}`)).status).toBe(302);
  });
});
