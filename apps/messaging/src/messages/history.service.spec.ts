import { type Message } from '@chat/contracts';
import { AppError } from '@chat/service-kit';
import { type Messaging, testId, wire } from '../testing/fakes';

const alice = { id: testId(1, 'aaaaaaaa'), username: 'alice' };
const bob = { id: testId(2, 'bbbbbbbb'), username: 'bob' };

function message(channelId: string, seq: number): Message {
  return {
    id: testId(seq, channelId.slice(0, 8)),
    channelId,
    seq,
    senderId: alice.id,
    clientMsgId: testId(seq, 'cccccccc'),
    text: `#${seq}`,
    createdAt: '2025-01-01T00:00:00.000Z',
  };
}

/** Alice's workspace with #general holding seqs 1..count, bucket size 10. */
async function setup(count: number): Promise<{ m: Messaging; channelId: string; workspaceId: string }> {
  const m = wire({ bucketSize: 10 });
  const workspace = await m.workspaces.create(alice, 'acme');
  const channelId = (await m.channels.findNamed(workspace.id, 'general'))!.id;
  for (let seq = 1; seq <= count; seq++) m.fakes.messages.put(message(channelId, seq));
  if (count > 0) await m.fakes.heads.advance(channelId, count);
  return { m, channelId, workspaceId: workspace.id };
}

const seqs = (messages: Message[]): number[] => messages.map((x) => x.seq);

describe('HistoryService.page', () => {
  it('answers the latest page newest first, then pages back across bucket boundaries', async () => {
    const { m, channelId } = await setup(25);
    const latest = await m.history.page(alice, channelId, { limit: 7 });
    expect(seqs(latest.messages)).toEqual([25, 24, 23, 22, 21, 20, 19]);
    expect(latest.hasMore).toBe(true);
    const older = await m.history.page(alice, channelId, { before: 19, limit: 12 });
    expect(seqs(older.messages)).toEqual([18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7]);
    const oldest = await m.history.page(alice, channelId, { before: 7, limit: 50 });
    expect(seqs(oldest.messages)).toEqual([6, 5, 4, 3, 2, 1]);
    expect(oldest.hasMore).toBe(false);
  });

  it('pages forward oldest first across bucket boundaries', async () => {
    const { m, channelId } = await setup(25);
    const page = await m.history.page(alice, channelId, { after: 5, limit: 10 });
    expect(seqs(page.messages)).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(page.hasMore).toBe(true);
    const rest = await m.history.page(alice, channelId, { after: 15, limit: 10 });
    expect(seqs(rest.messages)).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    expect(rest.hasMore).toBe(false);
    expect(await m.history.page(alice, channelId, { after: 25, limit: 10 })).toEqual({ messages: [], hasMore: false });
  });

  it('handles an empty channel, exact bucket ends and far-away cursors', async () => {
    const empty = await setup(0);
    expect(await empty.m.history.page(alice, empty.channelId, { limit: 10 })).toEqual({ messages: [], hasMore: false });
    const { m, channelId } = await setup(19);
    expect(seqs((await m.history.page(alice, channelId, { limit: 3 })).messages)).toEqual([19, 18, 17]);
    expect(seqs((await m.history.page(alice, channelId, { before: 1_000_000_000, limit: 2 })).messages)).toEqual([19, 18]);
    expect(seqs((await m.history.page(alice, channelId, { after: 8, limit: 2 })).messages)).toEqual([9, 10]);
    expect(await m.history.page(alice, channelId, { before: 1, limit: 5 })).toEqual({ messages: [], hasMore: false });
  });

  it('refuses non-members: forbidden for a visible public channel, not_found otherwise', async () => {
    const { m, channelId, workspaceId } = await setup(3);
    await m.fakes.workspaces.addMember(workspaceId, bob.id, 'member');
    await expect(m.history.page(bob, channelId, { limit: 5 })).rejects.toMatchObject({ code: 'forbidden' });
    const secret = await m.channels.create(alice, workspaceId, { name: 'secret', private: true });
    await expect(m.history.page(bob, secret.id, { limit: 5 })).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('HistoryService.sync', () => {
  it('returns every message after each cursor, oldest first per channel, in the order asked', async () => {
    const { m, channelId, workspaceId } = await setup(12);
    const other = await m.channels.create(alice, workspaceId, { name: 'other' });
    for (let seq = 1; seq <= 4; seq++) m.fakes.messages.put(message(other.id, seq));
    await m.fakes.heads.advance(other.id, 4);

    const result = await m.history.sync(alice, { channels: [{ channelId: other.id, afterSeq: 2 }, { channelId, afterSeq: 8 }] });
    expect(result.messages.map((x) => [x.channelId, x.seq])).toEqual([
      [other.id, 3],
      [other.id, 4],
      [channelId, 9],
      [channelId, 10],
      [channelId, 11],
      [channelId, 12],
    ]);
    expect(result.hasMore).toBe(false);
  });

  it('stops at the limit with hasMore, resumable from the new cursors', async () => {
    const { m, channelId, workspaceId } = await setup(30);
    const other = await m.channels.create(alice, workspaceId, { name: 'other' });
    m.fakes.messages.put(message(other.id, 1));
    await m.fakes.heads.advance(other.id, 1);

    const first = await m.history.sync(alice, { channels: [{ channelId, afterSeq: 0 }, { channelId: other.id, afterSeq: 0 }], limit: 25 });
    expect(seqs(first.messages)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(first.hasMore).toBe(true);
    const second = await m.history.sync(alice, { channels: [{ channelId, afterSeq: 25 }, { channelId: other.id, afterSeq: 0 }], limit: 25 });
    expect(second.messages.map((x) => [x.channelId === channelId ? 'general' : 'other', x.seq])).toEqual([
      ['general', 26],
      ['general', 27],
      ['general', 28],
      ['general', 29],
      ['general', 30],
      ['other', 1],
    ]);
    expect(second.hasMore).toBe(false);
  });

  it('fails with not_found naming the first channel the caller cannot read', async () => {
    const { m, channelId } = await setup(3);
    const unknown = testId(404, '40404040');
    let error: unknown;
    try {
      await m.history.sync(alice, { channels: [{ channelId, afterSeq: 0 }, { channelId: unknown, afterSeq: 0 }] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('not_found');
    expect((error as AppError).message).toContain(unknown);
  });
});
