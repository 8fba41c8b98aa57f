// The cleanup job against the real engines, with a short abandon age and interval: an upload never
// completed disappears from the bucket and the database (and is announced deleted), while a
// completed one stays. This run also signs its URLs for a public S3 endpoint other than the one
// files uses (a TCP proxy in front of the S3 server, as a browser-facing address would be).
import { randomBytes } from 'node:crypto';
import { type FileMeta } from '@chat/contracts';
import { freePort, TcpProxy, waitFor } from '@chat/testing';
import { FilesTestApp, putUpload, type TestUser } from '../testing/files-test-app';

describe('abandoned uploads', () => {
  let files: FilesTestApp;
  let owner: TestUser;
  let publicS3: TcpProxy;

  beforeAll(async () => {
    const s3 = new URL(process.env['S3_ENDPOINT'] ?? 'http://127.0.0.1:9000');
    publicS3 = new TcpProxy(await freePort(), s3.hostname, Number(s3.port));
    await publicS3.up();
    files = await FilesTestApp.start({
      S3_PUBLIC_ENDPOINT: `http://127.0.0.1:${publicS3.port}`,
      FILES_UPLOAD_URL_TTL_SECONDS: '2',
      FILES_ABANDONED_AFTER_SECONDS: '3',
      FILES_CLEANUP_INTERVAL_SECONDS: '1',
    });
    owner = await files.user();
  }, 180_000);

  afterAll(async () => {
    await files?.stop();
    await publicS3?.down();
  }, 120_000);

  async function start(bytes: Uint8Array): Promise<{ file: FileMeta; upload: { url: string; headers: Record<string, string> } }> {
    const answer = await files.request(owner, 'POST', '/api/files', { name: 'draft.txt', contentType: 'text/plain', size: bytes.length });
    expect(answer.status).toBe(201);
    expect(new URL((answer.body as { upload: { url: string } }).upload.url).port).toBe(String(publicS3.port));
    return answer.body as { file: FileMeta; upload: { url: string; headers: Record<string, string> } };
  }

  it('removes uploads never completed (uploaded or not) from bucket and metadata, and keeps completed ones', async () => {
    const bytes = new TextEncoder().encode(`draft ${randomBytes(8).toString('hex')}\n`);
    const uploaded = await start(bytes);
    expect(await putUpload(uploaded.upload, bytes)).toBe(200);
    const never = await start(bytes);
    const kept = await start(bytes);
    expect(await putUpload(kept.upload, bytes)).toBe(200);
    expect((await files.request(owner, 'POST', `/api/files/${kept.file.id}/complete`)).status).toBe(200);
    expect(await files.objectKeys()).toContain(`uploads/${uploaded.file.id}`);

    await waitFor('the abandoned uploads to be removed', async () => {
      const ids = (await files.fileRows()).map((r) => r.id);
      return !ids.includes(uploaded.file.id) && !ids.includes(never.file.id);
    });
    expect(await files.objectKeys()).not.toContain(`uploads/${uploaded.file.id}`);
    expect(await files.fileRows()).toEqual([{ id: kept.file.id, status: 'ready' }]);
    expect(await files.objectKeys()).toContain(`files/${kept.file.id}`);
    expect(await files.objectKeys()).not.toContain(`uploads/${kept.file.id}`);
    // Downloads are signed for the public endpoint too, and work through it.
    const location = (await files.request(owner, 'GET', `/api/files/${kept.file.id}`)).headers.get('location') ?? '';
    expect(new URL(location).port).toBe(String(publicS3.port));
    expect(new Uint8Array(await (await fetch(location)).arrayBuffer())).toEqual(bytes);
    // Completing an abandoned upload is too late.
    expect((await files.request(owner, 'POST', `/api/files/${uploaded.file.id}/complete`)).status).toBe(404);
    await waitFor('the deleted events', () =>
      [uploaded.file.id, never.file.id].every((id) => files.changes.some((c) => c.file.id === id && c.file.status === 'deleted')),
    );
  });
});
