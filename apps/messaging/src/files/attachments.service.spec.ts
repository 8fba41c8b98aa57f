import { type Message } from '@chat/contracts';
import { AppError } from '@chat/service-kit';
import { FixedClock, testId } from '../testing/fakes';
import { type AttachableFilesRepository } from './attachable-files.repository';
import { FakeAttachableFilesRepository, FakeFileSharesPublisher } from './attachments.fakes';
import { AttachmentsService, WAIT_COOLDOWN_FACTOR } from './attachments.service';
import { type FileSharesPublisher } from './file-shares.publisher';

const sender = testId(1);
const other = testId(2);

/** A clock whose sleeps run a callback first (the projection catching up while the send waits). */
class CatchingUpClock extends FixedClock {
  onSleep: (() => Promise<void>) | undefined;

  override async sleep(ms: number): Promise<void> {
    const catchUp = this.onSleep;
    this.onSleep = undefined;
    await catchUp?.();
    await super.sleep(ms);
  }
}

function setup(waitMs = 1000) {
  const files = new FakeAttachableFilesRepository();
  const shares = new FakeFileSharesPublisher();
  const clock = new CatchingUpClock();
  const service = new AttachmentsService(files as unknown as AttachableFilesRepository, shares as unknown as FileSharesPublisher, clock, {
    FILE_PROJECTION_WAIT_MS: waitMs,
  });
  const add = (n: number, owner: string, status: 'pending' | 'ready' | 'deleted', contentType = 'application/pdf') =>
    files.apply({ id: testId(n, 'f0000000'), ownerId: owner, name: `file-${n}`, contentType, size: 100 * n, status, hasThumbnail: contentType.startsWith('image/') });
  return { files, shares, clock, service, add };
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

describe('AttachmentsService.resolve', () => {
  it('answers the files, in the order named and without duplicates, with a thumbnail URL for images', async () => {
    const { service, add } = setup();
    await add(1, sender, 'ready');
    await add(2, sender, 'ready', 'image/png');
    const files = await service.resolve(sender, [testId(2, 'f0000000'), testId(1, 'f0000000'), testId(2, 'f0000000')]);
    expect(files).toEqual([
      { id: testId(2, 'f0000000'), name: 'file-2', contentType: 'image/png', size: 200, thumbnailUrl: `/api/files/${testId(2, 'f0000000')}/thumbnail` },
      { id: testId(1, 'f0000000'), name: 'file-1', contentType: 'application/pdf', size: 100 },
    ]);
    expect(await service.resolve(sender, undefined)).toEqual([]);
  });

  it("refuses someone else's file at once (forbidden), even next to the sender's own", async () => {
    const { service, add, clock } = setup();
    await add(1, sender, 'ready');
    await add(2, other, 'ready');
    const before = clock.now().getTime();
    expect(await codeOf(service.resolve(sender, [testId(1, 'f0000000'), testId(2, 'f0000000')]))).toBe('forbidden');
    expect(clock.now().getTime()).toBe(before);
  });

  it('refuses a file still uploading (conflict) and an unknown one (not_found) after waiting for the projection', async () => {
    const { service, add, clock } = setup(1000);
    await add(1, sender, 'pending');
    const before = clock.now().getTime();
    expect(await codeOf(service.resolve(sender, [testId(1, 'f0000000')]))).toBe('conflict');
    expect(clock.now().getTime() - before).toBeGreaterThanOrEqual(1000);
    expect(await codeOf(service.resolve(sender, [testId(9, 'f0000000')]))).toBe('not_found');
    await add(1, sender, 'deleted');
    expect(await codeOf(service.resolve(sender, [testId(1, 'f0000000')]))).toBe('not_found');
  });

  it('waits at most once per cooldown for a sender whose wait found nothing: random ids are refused at once', async () => {
    const { service, add, clock } = setup(1000);
    let start = clock.now().getTime();
    expect(await codeOf(service.resolve(sender, [testId(9, 'f0000000')]))).toBe('not_found');
    expect(clock.now().getTime() - start).toBeGreaterThanOrEqual(1000);
    // The same sender's next sends naming unknown (or unfinished) files: refused without a wait.
    await add(1, sender, 'pending');
    start = clock.now().getTime();
    for (let i = 0; i < 20; i++) expect(await codeOf(service.resolve(sender, [testId(100 + i, 'f0000000')]))).toBe('not_found');
    expect(await codeOf(service.resolve(sender, [testId(1, 'f0000000')]))).toBe('conflict');
    expect(clock.now().getTime()).toBe(start);
    // Other senders keep their wait; the sender's own ready files attach as ever.
    start = clock.now().getTime();
    expect(await codeOf(service.resolve(other, [testId(9, 'f0000000')]))).toBe('not_found');
    expect(clock.now().getTime() - start).toBeGreaterThanOrEqual(1000);
    await add(2, sender, 'ready');
    expect(await service.resolve(sender, [testId(2, 'f0000000')])).toHaveLength(1);
    // After the cooldown the sender waits again (a file completed a moment ago).
    await clock.sleep(WAIT_COOLDOWN_FACTOR * 1000);
    await add(3, sender, 'pending');
    clock.onSleep = () => add(3, sender, 'ready');
    expect(await service.resolve(sender, [testId(3, 'f0000000')])).toHaveLength(1);
  });

  it('accepts a file that becomes ready while it waits (completed a moment ago)', async () => {
    const { service, add, clock } = setup(1000);
    await add(1, sender, 'pending');
    clock.onSleep = () => add(1, sender, 'ready');
    expect(await service.resolve(sender, [testId(1, 'f0000000')])).toEqual([{ id: testId(1, 'f0000000'), name: 'file-1', contentType: 'application/pdf', size: 100 }]);
  });
});

describe('AttachmentsService.announceShares', () => {
  it('announces the files of a message, and nothing for a message without files', async () => {
    const { service, shares } = setup();
    const base: Message = { id: testId(5), channelId: testId(6), seq: 1, senderId: sender, clientMsgId: testId(7), text: 'x', createdAt: new Date(0).toISOString() };
    await service.announceShares(base);
    const withFiles = { ...base, files: [{ id: testId(1, 'f0000000'), name: 'a', contentType: 'text/plain', size: 1 }] };
    await service.announceShares(withFiles);
    expect(shares.announced).toEqual([withFiles]);
  });
});
