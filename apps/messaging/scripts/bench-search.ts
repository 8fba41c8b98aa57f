// Search latency on 100,000 stored messages: seeds its own keyspace (bench_search_<random>, with
// messaging's migrations), then times SearchService.query, the code behind GET /api/search, and
// prints median and p99 per query shape. Drops the keyspace at the end (KEEP=1 keeps it).
//
//   npm run bench:search                      # 100,000 messages in 20 channels, 300 queries per shape
//   MESSAGES=20000 QUERIES=100 npm run bench:search
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CassandraClient, CassandraModule, defineStatements } from '@chat/cassandra';
import { testCassandraLogin } from '@chat/testing/local-cassandra';
import { HealthModule } from '@chat/service-kit';
import { ChannelAccess } from '../src/channels/channel-access.service';
import { ChannelMembersRepository } from '../src/channels/channel-members.repository';
import { ChannelsRepository } from '../src/channels/channels.repository';
import { terms } from '../src/messages/text-analyzer';
import { SearchRepository } from '../src/search/search.repository';
import { SearchService } from '../src/search/search.service';
import { WorkspacesRepository } from '../src/workspaces/workspaces.repository';

const MESSAGES = Number(process.env['MESSAGES'] ?? 100_000);
const CHANNELS = Number(process.env['CHANNELS'] ?? 20);
const QUERIES = Number(process.env['QUERIES'] ?? 300);
const BUCKET_SIZE = 1000;
const VOCABULARY = 5000;
const keyspace = `bench_search_${randomUUID().replace(/-/g, '').slice(0, 12)}`;

const CQL = defineStatements({
  // The store's row with its analysed terms (migration 0012).
  insert: {
    cql: `INSERT INTO messages (channel_id, bucket, seq, id, sender_id, client_msg_id, text, created_at, terms)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    idempotent: true,
  },
});

// A Zipf-like vocabulary: word i is drawn with probability ~ 1/(i+1), like natural text.
const words = Array.from({ length: VOCABULARY }, (_, i) => `w${i.toString(36)}x`);
const cumulative: number[] = [];
words.reduce((sum, _, i) => (cumulative[i] = sum + 1 / (i + 1)), 0);
const total = cumulative[VOCABULARY - 1] ?? 1;
function word(): string {
  const r = Math.random() * total;
  let lo = 0;
  let hi = VOCABULARY - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((cumulative[mid] ?? 0) < r) lo = mid + 1;
    else hi = mid;
  }
  return words[lo] ?? 'w0x';
}

@Module({
  imports: [
    HealthModule,
    CassandraModule.forRoot({
      contactPoints: (process.env['CASSANDRA_CONTACT_POINTS'] ?? '127.0.0.1:9042').split(','),
      localDataCenter: process.env['CASSANDRA_LOCAL_DC'] ?? 'datacenter1',
      // The local node asks for a login: its superuser (the script creates its keyspace), or CASSANDRA_USERNAME/PASSWORD.
      credentials: { ...testCassandraLogin() },
      keyspace,
      replication: { class: 'SimpleStrategy', replication_factor: 1 },
      migrationsDir: join(__dirname, '../src/migrations'),
    }),
  ],
  providers: [SearchRepository, SearchService, ChannelAccess, ChannelMembersRepository, ChannelsRepository, WorkspacesRepository],
})
class BenchModule {}

async function inParallel(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: ['error', 'warn'] });
  const db = app.get(CassandraClient);
  try {
    const user = { id: randomUUID(), username: 'bench' };
    const workspaceId = randomUUID();
    const channelIds = Array.from({ length: CHANNELS }, () => randomUUID());
    const senders = Array.from({ length: 50 }, () => randomUUID());
    await Promise.all(
      channelIds.map(async (id, i) => {
        const channel = { id, workspaceId, kind: 'public' as const, name: `bench-${i}`, private: false, createdBy: user.id, createdAt: new Date().toISOString() };
        await app.get(ChannelsRepository).insert(channel);
        await app.get(ChannelMembersRepository).add(channel, user.id, new Date());
      }),
    );

    const started = Date.now();
    const perChannel = Math.ceil(MESSAGES / CHANNELS);
    const t0 = Date.now() - MESSAGES * 1000;
    await inParallel(MESSAGES, 32, async (i) => {
      const channelId = channelIds[i % CHANNELS] ?? '';
      const seq = Math.floor(i / CHANNELS) + 1;
      const text = Array.from({ length: 5 + Math.floor(Math.random() * 20) }, word).join(' ');
      const bucket = BigInt(Math.floor(seq / BUCKET_SIZE));
      const [senderId, createdAt] = [senders[i % senders.length], new Date(t0 + i * 1000)];
      const row = [channelId, bucket, BigInt(seq), randomUUID(), senderId, randomUUID(), text, createdAt, terms(text)];
      // The machine is shared: an insert that times out is retried (the inserts are idempotent).
      for (let attempt = 1; ; attempt++) {
        try {
          await db.execute(CQL.insert, row);
          break;
        } catch (error) {
          if (attempt >= 5) throw error;
        }
      }
      if ((i + 1) % 10_000 === 0) process.stdout.write(`seeded ${i + 1}\n`);
    });
    console.log(`seeded ${MESSAGES} messages (${CHANNELS} channels x ${perChannel}) in ${((Date.now() - started) / 1000).toFixed(1)} s into ${keyspace}`);

    const search = app.get(SearchService);
    const caller = { id: user.id, username: user.username };
    // Query words of several frequencies: common (rank 10-50), medium (200-1000), rare (2000-5000).
    const pick = (from: number, to: number) => words[from + Math.floor(Math.random() * (to - from))] ?? 'w0x';
    const shapes: { name: string; query: () => { q: string; channelId?: string; from?: string; after?: string } }[] = [
      { name: 'one common word, all 20 channels', query: () => ({ q: pick(10, 50) }) },
      { name: 'one medium word, all 20 channels', query: () => ({ q: pick(200, 1000) }) },
      { name: 'one rare word, all 20 channels', query: () => ({ q: pick(2000, 5000) }) },
      { name: 'two words, all 20 channels', query: () => ({ q: `${pick(10, 200)} ${pick(10, 200)}` }) },
      { name: 'one medium word, one channel', query: () => ({ q: pick(200, 1000), channelId: channelIds[0] ?? '' }) },
      { name: 'medium word + from + after', query: () => ({ q: pick(200, 1000), from: senders[0] ?? '', after: new Date(t0 + MESSAGES * 500).toISOString() }) },
    ];
    for (let i = 0; i < 20; i++) await search.query(caller, { q: pick(10, 1000), limit: 20 }); // warm-up
    console.log(`\n${QUERIES} queries per shape, limit 20, sequential:`);
    for (const shape of shapes) {
      const times: number[] = [];
      let hits = 0;
      for (let i = 0; i < QUERIES; i++) {
        const begin = process.hrtime.bigint();
        const { results } = await search.query(caller, { limit: 20, ...shape.query() });
        times.push(Number(process.hrtime.bigint() - begin) / 1e6);
        hits += results.length;
      }
      times.sort((a, b) => a - b);
      console.log(`${shape.name.padEnd(36)} median ${percentile(times, 50).toFixed(1)} ms  p99 ${percentile(times, 99).toFixed(1)} ms  (avg ${(hits / QUERIES).toFixed(1)} results)`);
    }
  } finally {
    if (process.env['KEEP'] !== '1') await db.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`, [], { readTimeoutMs: 120_000 }).catch((error: unknown) => console.error(`could not drop ${keyspace}:`, error));
    await app.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
