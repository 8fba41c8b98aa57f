import { AppError } from '@chat/service-kit';
import { type FileEventsPublisher } from '../metadata/file-events.publisher';
import { type FileRecord, type FilesRepository, type LockedOutcome, type LockedPendingFile, type NewFile, type ThumbnailState } from '../metadata/files.repository';
import { type ObjectStorage, type SignedUpload, type StoredObject } from '../storage/object-storage';
import { UploadsService } from './uploads.service';

const OWNER = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

class FakeFiles {
  readonly rows = new Map<string, FileRecord>();
  insert(file: NewFile): Promise<FileRecord> {
    const record: FileRecord = { ...file, checksum: null, status: 'pending', thumbnail: null };
    this.rows.set(file.id, record);
    return Promise.resolve(record);
  }
  get(id: string): Promise<FileRecord | undefined> {
    return Promise.resolve(this.rows.get(id));
  }
  deletePending(id: string): Promise<void> {
    if (this.rows.get(id)?.status === 'pending') this.rows.delete(id);
    return Promise.resolve();
  }
  async withLockedPending<T>(id: string, _age: number, work: (file: FileRecord, locked: LockedPendingFile) => Promise<T>): Promise<LockedOutcome<T>> {
    const row = this.rows.get(id);
    if (row?.status !== 'pending') return { found: false };
    const result = await work(row, {
      markReady: (checksum: string | null, thumbnail: ThumbnailState) => {
        const ready: FileRecord = { ...row, status: 'ready', checksum, thumbnail };
        this.rows.set(id, ready);
        return Promise.resolve(ready);
      },
      delete: () => {
        this.rows.delete(id);
        return Promise.resolve();
      },
    });
    return { found: true, result };
  }
}

class FakeStorage {
  readonly objects = new Map<string, Uint8Array>();
  signUpload(key: string, contentType: string): Promise<SignedUpload> {
    return Promise.resolve({ url: `http://s3.invalid/${key}`, headers: { 'content-type': contentType } });
  }
  head(key: string): Promise<StoredObject | undefined> {
    const bytes = this.objects.get(key);
    return Promise.resolve(bytes ? { size: bytes.length, etag: 'etag-1' } : undefined);
  }
  readHead(key: string, length: number): Promise<Uint8Array> {
    return Promise.resolve((this.objects.get(key) ?? new Uint8Array()).subarray(0, length));
  }
  copy(from: string, to: string): Promise<void> {
    const bytes = this.objects.get(from);
    if (!bytes) return Promise.reject(new Error(`no object ${from}`));
    this.objects.set(to, new Uint8Array(bytes));
    return Promise.resolve();
  }
  delete(key: string): Promise<void> {
    this.objects.delete(key);
    return Promise.resolve();
  }
}

class FakeEvents {
  readonly changes: [string, string][] = [];
  /** Set: the broker is away, every announcement fails. */
  away: Error | undefined;
  changed(file: FileRecord, status: string): Promise<void> {
    if (this.away) return Promise.reject(this.away);
    this.changes.push([file.id, status]);
    return Promise.resolve();
  }
}

function setup() {
  const files = new FakeFiles();
  const storage = new FakeStorage();
  const events = new FakeEvents();
  let n = 0;
  const ids = { newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}` };
  const clock = { now: () => new Date('2026-01-01T00:00:00Z') };
  const service = new UploadsService(
    files as unknown as FilesRepository,
    storage as unknown as ObjectStorage,
    events as unknown as FileEventsPublisher,
    ids,
    clock,
    { FILES_MAX_SIZE_BYTES: 1000, FILES_ALLOWED_TYPES: ['image/png', 'text/plain'], FILES_UPLOAD_URL_TTL_SECONDS: 60, FILES_ABANDONED_AFTER_SECONDS: 3600 },
  );
  return { files, storage, events, service };
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
}

describe('UploadsService', () => {
  it('starts an upload: a pending file, a signed PUT, an announcement', async () => {
    const { service, files, events } = setup();
    const started = await service.start(OWNER, { name: 'a.png', contentType: 'IMAGE/PNG', size: 8 });
    expect(started.file).toMatchObject({ ownerId: OWNER, contentType: 'image/png', status: 'pending', size: 8 });
    expect(started.upload).toEqual({ url: `http://s3.invalid/uploads/${started.file.id}`, headers: { 'content-type': 'image/png' }, method: 'PUT' });
    expect(files.rows.size).toBe(1);
    expect(events.changes).toEqual([[started.file.id, 'pending']]);
  });

  it('records no file when its pending announcement fails (Kafka away): the caller gets the error and no upload URL', async () => {
    const { service, files, events } = setup();
    events.away = new Error('broker unreachable');
    await expect(service.start(OWNER, { name: 'a.png', contentType: 'image/png', size: 8 })).rejects.toThrow('broker unreachable');
    expect(files.rows.size).toBe(0);
    events.away = undefined;
    const started = await service.start(OWNER, { name: 'a.png', contentType: 'image/png', size: 8 });
    expect([...files.rows.keys()]).toEqual([started.file.id]);
  });

  it('refuses an over-limit size (too_large) and a type not allowed (invalid), recording nothing', async () => {
    const { service, files, events } = setup();
    expect(await codeOf(service.start(OWNER, { name: 'a.png', contentType: 'image/png', size: 1001 }))).toBe('too_large');
    expect(await codeOf(service.start(OWNER, { name: 'a.pdf', contentType: 'application/pdf', size: 10 }))).toBe('invalid');
    expect(files.rows.size).toBe(0);
    expect(events.changes).toEqual([]);
  });

  it('completes an upload that matches its declaration: ready, a thumbnail to make for an image', async () => {
    const { service, storage, events } = setup();
    const { file } = await service.start(OWNER, { name: 'a.png', contentType: 'image/png', size: 8 });
    storage.objects.set(`uploads/${file.id}`, new Uint8Array(PNG));
    const ready = await service.complete(OWNER, file.id);
    // Served from a copy clients cannot write; the upload itself is gone.
    expect([...storage.objects.keys()]).toEqual([`files/${file.id}`]);
    expect(ready).toMatchObject({ status: 'ready', checksum: 'etag-1', thumbnailUrl: `/api/files/${file.id}/thumbnail` });
    expect(await service.complete(OWNER, file.id)).toEqual(ready);
    expect(events.changes.map(([, s]) => s)).toEqual(['pending', 'ready', 'ready']);
  });

  it('gives a name whose extension is not its type\'s the type\'s extension', async () => {
    const { service } = setup();
    expect((await service.start(OWNER, { name: 'page.html', contentType: 'text/plain', size: 3 })).file.name).toBe('page.html.txt');
    expect((await service.start(OWNER, { name: 'Photo.PNG', contentType: 'image/png', size: 8 })).file.name).toBe('Photo.PNG');
    expect((await service.start(OWNER, { name: 'README', contentType: 'text/plain', size: 3 })).file.name).toBe('README.txt');
    expect((await service.start(OWNER, { name: `${'x'.repeat(253)}.sh`, contentType: 'text/plain', size: 3 })).file.name).toBe(`${'x'.repeat(251)}.txt`);
  });

  it('answers not_found to anyone but the owner, and invalid (keeping the upload open) while nothing was uploaded', async () => {
    const { service, files } = setup();
    const { file } = await service.start(OWNER, { name: 'a.txt', contentType: 'text/plain', size: 3 });
    expect(await codeOf(service.complete(OTHER, file.id))).toBe('not_found');
    expect(await codeOf(service.complete(OWNER, file.id))).toBe('invalid');
    expect(files.rows.get(file.id)?.status).toBe('pending');
  });

  it.each([
    ['a different size', new TextEncoder().encode('abcd')],
    ['a different type', new Uint8Array(PNG.slice(0, 3))],
  ])('refuses an upload of %s: invalid, object and metadata deleted, announced deleted', async (_what, bytes) => {
    const { service, storage, files, events } = setup();
    const { file } = await service.start(OWNER, { name: 'a.txt', contentType: 'text/plain', size: 3 });
    storage.objects.set(`uploads/${file.id}`, bytes);
    expect(await codeOf(service.complete(OWNER, file.id))).toBe('invalid');
    expect(storage.objects.size).toBe(0);
    expect(files.rows.size).toBe(0);
    expect(events.changes.map(([, s]) => s)).toEqual(['pending', 'deleted']);
    expect(await codeOf(service.complete(OWNER, file.id))).toBe('not_found');
  });
});
