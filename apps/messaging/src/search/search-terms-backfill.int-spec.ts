// The one-time search-terms backfill of migration 0012 against real Cassandra: rows stored while
// their terms lived in message_search become searchable on `messages`, a later edit or delete of
// the row keeps winning, no message row is made up, the record makes it run once and resume where
// it stopped, and two instances running it at once do no harm.
import { randomUUID } from 'node:crypto';
import { type Channel, type ChannelSummary, type SearchResponse, type Workspace } from '@chat/contracts';
import { CassandraClient } from '@chat/cassandra';
import request from 'supertest';
import { KeyspaceSettingsRepository } from '../messages/keyspace-settings.repository';
import { MessagingSpec, type TestUser } from '../testing/messaging-test-app';
import { SEARCH_TERMS_BACKFILL, SearchTermsBackfill } from './search-terms-backfill';
import { SearchTermsBackfillRepository } from './search-terms-backfill.repository';

jest.setTimeout(180_000);

describe('search terms backfill (migration 0012)', () => {
  let spec: MessagingSpec;
  let alice: TestUser;
  let channelId: string;
  const word = (w: string) => `${w}${randomUUID().slice(0, 8)}`;
  const [alpha, edited, older, fresh, stale, outdated, current, ghostly, orphan] = [
    word('alpha'), word('edited'), word('older'), word('fresh'), word('stale'), word('outdated'), word('current'), word('ghostly'), word('orphan'),
  ];
  const elsewhere = randomUUID();
  const t0 = Date.UTC(2025, 0, 1) * 1000;
  const get = <T>(type: new (...args: never[]) => T): T => spec.messaging.app.get(type);
  const db = () => get(CassandraClient);

  beforeAll(async () => {
    spec = await MessagingSpec.start();
    alice = await spec.users.create('alice');
    const api = request(spec.messaging.url);
    const created = await api.post('/api/workspaces').set('Authorization', spec.users.bearer(alice)).send({ name: 'backfill' }).expect(201);
    const { workspace } = created.body as { workspace: Workspace };
    const listed = await request(spec.messaging.url).get(`/api/workspaces/${workspace.id}/channels`).set('Authorization', spec.users.bearer(alice)).expect(200);
    channelId = (listed.body as { channels: (Channel & ChannelSummary)[] }).channels.find((c) => c.name === 'general')!.id;
    // The start-up run found nothing to copy and recorded it.
    await get(SearchTermsBackfill).settled();
    expect(await get(KeyspaceSettingsRepository).claim(SEARCH_TERMS_BACKFILL, 'x')).toBe('done');
  });

  afterAll(() => spec?.stop());

  async function search(q: string): Promise<number[]> {
    const response = await request(spec.messaging.url).get(`/api/search?q=${q}`).set('Authorization', spec.users.bearer(alice)).expect(200);
    return (response.body as SearchResponse).results.map((r) => r.message.seq);
  }

  /** A message row as an earlier version stored it; `terms` only for one stored before 0008. */
  async function message(seq: number, text: string, at: number, extra: { terms?: string[]; termsAt?: number; deletedAt?: number } = {}): Promise<void> {
    const bucket = BigInt(Math.floor(seq / 1000));
    await db().execute(
      'INSERT INTO messages (channel_id, bucket, seq, id, sender_id, client_msg_id, text, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?',
      [channelId, bucket, BigInt(seq), randomUUID(), alice.id, randomUUID(), text, new Date(at / 1000), BigInt(at)],
    );
    if (extra.terms) await db().execute('UPDATE messages USING TIMESTAMP ? SET terms = ? WHERE channel_id = ? AND bucket = ? AND seq = ?', [BigInt(extra.termsAt ?? at), extra.terms, channelId, bucket, BigInt(seq)]);
    if (extra.deletedAt) {
      await db().execute("UPDATE messages USING TIMESTAMP ? SET deleted = true, text = '', terms = null WHERE channel_id = ? AND bucket = ? AND seq = ?", [BigInt(extra.deletedAt), channelId, bucket, BigInt(seq)]);
    }
  }

  /** The search row the search-index step or an edit wrote (migration 0008), as of `at`. */
  async function searchRow(channel: string, seq: number, terms: string[], at: number): Promise<void> {
    await db().execute('INSERT INTO message_search (channel_id, bucket, seq, sender_id, created_at, terms) VALUES (?, ?, ?, ?, ?, ?) USING TIMESTAMP ?', [
      channel, BigInt(Math.floor(seq / 1000)), BigInt(seq), alice.id, new Date(t0 / 1000), terms, BigInt(at),
    ]);
  }

  async function termsOf(seq: number): Promise<string[]> {
    const row = await db().first('SELECT terms FROM messages WHERE channel_id = ? AND bucket = ? AND seq = ?', [channelId, BigInt(Math.floor(seq / 1000)), BigInt(seq)]);
    return Array.isArray(row?.terms) ? row.terms.map(String) : [];
  }

  const restart = (record?: string) =>
    record ? db().execute('UPDATE keyspace_settings SET value = ? WHERE name = ?', [record, SEARCH_TERMS_BACKFILL]) : db().execute('DELETE FROM keyspace_settings WHERE name = ?', [SEARCH_TERMS_BACKFILL]);

  it('copies the terms of earlier rows into messages as of their write time, once, resumably', async () => {
    // Three partitions: (channel, bucket 0), (channel, bucket 1), and one of a channel with no message rows.
    await message(1, `an ${alpha}`, t0 + 1);
    await searchRow(channelId, 1, [alpha], t0 + 1);
    // Edited by the previous version: the text and the search row rewritten, messages.terms never written.
    await message(2, `the ${edited}`, t0 + 2);
    await searchRow(channelId, 2, [older], t0 + 2);
    await db().execute('UPDATE messages USING TIMESTAMP ? SET text = ? WHERE channel_id = ? AND bucket = 0 AND seq = 2', [BigInt(t0 + 20), `the ${edited}`, channelId]);
    await searchRow(channelId, 2, [edited], t0 + 20);
    // Stored before 0008 (terms in the row), edited after it: the row's terms are stale, the search row's win.
    await message(1000, `a ${fresh}`, t0 + 3, { terms: [stale] });
    await searchRow(channelId, 1000, [fresh], t0 + 30);
    // Edited by this version after its search row was written: the row's terms win.
    await message(1001, `the ${current}`, t0 + 4, { terms: [current], termsAt: t0 + 40 });
    await searchRow(channelId, 1001, [outdated], t0 + 4);
    // Deleted after its search row was written (a delete that did not reach message_search).
    await message(1002, '', t0 + 5, { deletedAt: t0 + 50 });
    await searchRow(channelId, 1002, [ghostly], t0 + 5);
    // A search row whose message row does not exist.
    await searchRow(elsewhere, 7, [orphan], t0 + 6);
    expect([await search(alpha), await search(edited), await search(fresh)]).toEqual([[], [], []]);

    // A run that resumes after the first partition in token order skips it.
    const partitions = await get(SearchTermsBackfillRepository).partitionsAfter(-(2n ** 63n), 10);
    expect(partitions).toHaveLength(3);
    const first = partitions[0];
    await restart(`after:${first.token}`);
    expect(await get(SearchTermsBackfill).run(1)).toBe('done');
    const skipped = first.channelId === channelId ? (first.bucket === 0 ? [1, 2] : [1000, 1001]) : [];
    const [unchanged, copiedTerms] = [{ 1: [], 2: [], 1000: [stale], 1001: [current] }, { 1: [alpha], 2: [edited], 1000: [fresh], 1001: [current] }];
    const seqs = [1, 2, 1000, 1001] as const;
    expect(await Promise.all(seqs.map(termsOf))).toEqual(seqs.map((seq) => (skipped.includes(seq) ? unchanged : copiedTerms)[seq]));

    // From the start: every partition, one page at a time.
    await restart();
    expect(await get(SearchTermsBackfill).run(1)).toBe('done');
    expect(await get(KeyspaceSettingsRepository).claim(SEARCH_TERMS_BACKFILL, 'x')).toBe('done');
    expect({
      alpha: await search(alpha),
      edited: await search(edited),
      older: await search(older),
      fresh: await search(fresh),
      stale: await search(stale),
      current: await search(current),
      outdated: await search(outdated),
      ghostly: await search(ghostly),
    }).toEqual({ alpha: [1], edited: [2], older: [], fresh: [1000], stale: [], current: [1001], outdated: [], ghostly: [] });
    const made = await db().execute('SELECT seq FROM messages WHERE channel_id = ? AND bucket = 0', [elsewhere]);
    expect(made.rows).toEqual([]);

    // Recorded as done: a later start copies nothing, even if the search table changed meanwhile.
    await searchRow(channelId, 1, [older], t0 + 60);
    expect(await get(SearchTermsBackfill).run(1)).toBe('done');
    expect(await search(older)).toEqual([]);

    // Two instances at once (the same again): at least one finishes, the other stops when overtaken.
    await restart();
    const outcomes = await Promise.all([get(SearchTermsBackfill).run(1), get(SearchTermsBackfill).run(1)]);
    expect(outcomes).toContain('done');
    expect(outcomes.every((o) => o === 'done' || o === 'overtaken')).toBe(true);
    expect(await termsOf(1000)).toEqual([fresh]);
    expect(await termsOf(1001)).toEqual([current]);
    expect(await termsOf(1002)).toEqual([]);
  });
});
