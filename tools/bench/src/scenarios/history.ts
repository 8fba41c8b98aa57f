// history: one channel holding --messages messages (1,000,000 by default), read 50 (--page-size)
// at a time at random cursors through the gateway (`GET /api/channels/:id/messages?before=`),
// one page after another, --pages times. The channel is created through the API; its messages
// are written straight into the messaging keyspace in the service's own layout (messages
// partitions of MESSAGE_BUCKET_SIZE seqs, the channel_heads hint), in unlogged single-partition
// batches, which is much faster than sending them. Then the keyspace is flushed and the harness
// waits (bounded) until no compaction of it is pending or running (nodetool), so the pages are
// read from the settled layout rather than during compaction. Every page is checked: the right
// count of consecutive seqs, newest first.
import { join } from 'node:path';
import { CASSANDRA_CONTACT_POINTS, CASSANDRA_LOCAL_DC, CASSANDRA_SUPERUSER } from '@chat/infra';
import { type BatchEntry, defineStatements, openCassandra } from '@chat/cassandra';
import { REPO_ROOT } from '@chat/testing';
import { type BenchContext } from '../context';
import { summarizeMs } from '../latency';
import { http } from '@chat/testing';
import { pool, register } from '../population';
import { compactions, flush } from '../system/nodetool';
import { type ScenarioResult } from '../report/model';

const BUCKET_SIZE = 1000;

const CQL = defineStatements({
  insert: { cql: 'INSERT INTO messages (channel_id, bucket, seq, id, sender_id, client_msg_id, text, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', idempotent: true },
  head: { cql: 'UPDATE channel_heads USING TIMESTAMP ? SET last_seq = ? WHERE channel_id = ?', idempotent: true },
  bucketSize: "SELECT value FROM keyspace_settings WHERE name = 'message_bucket_size'",
});

interface HistoryPage {
  messages: { seq: number }[];
  hasMore: boolean;
}

async function seed(ctx: BenchContext, keyspace: string, channelId: string, senderId: string, count: number): Promise<number> {
  const db = await openCassandra({
    contactPoints: [...CASSANDRA_CONTACT_POINTS],
    localDataCenter: CASSANDRA_LOCAL_DC,
    keyspace,
    replication: { class: 'SimpleStrategy', replication_factor: 1 },
    migrationsDir: join(REPO_ROOT, 'apps', 'messaging', 'src', 'migrations'),
    credentials: { ...CASSANDRA_SUPERUSER },
    consistency: 'localOne',
    requestTimeoutMs: 60_000,
    readinessTimeoutMs: 5_000,
    schemaAgreementTimeoutMs: 30_000,
    migrationLock: { leaseSeconds: 60, waitMs: 300_000 },
    applicationName: 'bench',
  });
  try {
    const setting = await db.first<{ value: string }>(CQL.bucketSize);
    if (setting && Number(setting.value) !== BUCKET_SIZE) throw new Error(`the keyspace's message_bucket_size is ${setting.value}, the seeder writes ${BUCKET_SIZE}`);
    const started = Date.now();
    // 20 rows (~4 KiB) stay under Cassandra's batch size warning threshold (5 KiB).
    const perBatch = 20;
    const createdAt = new Date(Date.now() - count * 1000);
    let done = 0;
    // Batch b holds seqs b·20 … b·20+19 (no seq 0): 20 divides the bucket size, so a batch is one partition.
    await pool(Math.floor(count / perBatch) + 1, 64, async (b) => {
      const entries: BatchEntry[] = [];
      for (let seq = Math.max(1, b * perBatch); seq < (b + 1) * perBatch && seq <= count; seq++) {
        entries.push({
          statement: CQL.insert,
          params: [channelId, BigInt(Math.floor(seq / BUCKET_SIZE)), BigInt(seq), crypto.randomUUID(), senderId, crypto.randomUUID(), `seeded message ${seq}`, new Date(createdAt.getTime() + seq * 1000)],
        });
      }
      if (entries.length === 0) return;
      await db.batch(entries, { logged: false, consistency: 'localOne' });
      done += entries.length;
      if (done % 100_000 < perBatch) ctx.log(`seeded ${done} / ${count} messages`);
    });
    await db.execute(CQL.head, [BigInt(count), BigInt(count), channelId]);
    const seconds = (Date.now() - started) / 1000;
    ctx.log(`seeded ${count} messages in ${seconds.toFixed(1)} s (${Math.round(count / seconds)} rows/s)`);
    return seconds;
  } finally {
    await db.shutdown();
  }
}

/** Compaction is waited for at most this long after the flush. */
const COMPACTION_BOUND_MS = 600_000;

/** Flushes the keyspace, then waits until none of its compactions is pending or running (bounded). */
async function settleCompactions(ctx: BenchContext, keyspace: string): Promise<{ seconds: number; settled: boolean; note?: string }> {
  const started = Date.now();
  try {
    await flush(keyspace);
    for (;;) {
      const { pending, active } = await compactions(keyspace);
      const seconds = Math.round((Date.now() - started) / 100) / 10;
      if (pending === 0 && active === 0) {
        ctx.log(`flushed ${keyspace}; compactions settled after ${seconds} s`);
        return { seconds, settled: true };
      }
      if (Date.now() - started > COMPACTION_BOUND_MS) {
        ctx.log(`compactions of ${keyspace} not settled after ${seconds} s (${pending} pending, ${active} running): measuring anyway`);
        return { seconds, settled: false, note: `${pending} pending, ${active} running` };
      }
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  } catch (error) {
    ctx.log(`could not flush or read compactions through nodetool (${String(error).slice(0, 200)}): measuring without waiting`);
    return { seconds: Math.round((Date.now() - started) / 100) / 10, settled: false, note: 'nodetool failed' };
  }
}

export async function runHistory(ctx: BenchContext): Promise<ScenarioResult> {
  const o = ctx.options;
  const system = await ctx.systemUnderTest();
  const reader = await register(system.origin, `bh${crypto.randomUUID().slice(0, 8)}`);
  const { workspace } = (await http<{ workspace: { id: string } }>(system.origin, 'POST', '/api/workspaces', { token: reader.token, body: { name: `bench-history-${Date.now()}` } })).body;
  const { channel } = (await http<{ channel: { id: string } }>(system.origin, 'POST', `/api/workspaces/${workspace.id}/channels`, { token: reader.token, body: { name: 'history' } })).body;
  const seedSeconds = await seed(ctx, system.keyspace, channel.id, reader.id, o.messages);
  const settled = await settleCompactions(ctx, system.keyspace);

  const samples: number[] = [];
  let wrong = 0;
  const started = Date.now();
  for (let i = 0; i < o.pages; i++) {
    const before = o.pageSize + 1 + Math.floor(Math.random() * (o.messages - o.pageSize));
    const t = performance.now();
    const answer = await http<HistoryPage>(system.origin, 'GET', `/api/channels/${channel.id}/messages?before=${before}&limit=${o.pageSize}`, { token: reader.token });
    samples.push(performance.now() - t);
    const seqs = answer.status === 200 ? answer.body.messages.map((m) => m.seq) : [];
    if (seqs.length !== o.pageSize || seqs.some((seq, j) => seq !== before - 1 - j)) wrong++;
  }
  const seconds = (Date.now() - started) / 1000;
  const latency = summarizeMs(samples);
  ctx.log(`history: ${o.pages} pages in ${seconds.toFixed(1)} s, p50 ${latency.p50} ms, p99 ${latency.p99} ms, wrong pages ${wrong}`);
  if (wrong > 0) throw new Error(`${wrong} history pages were not ${o.pageSize} consecutive seqs below their cursor`);
  return {
    targets: [{ target: 'history page p99', goal: `≤ 10 ms (50-message pages, 1,000,000 stored)`, measured: `${latency.p99} ms (${o.pageSize}-message pages, ${o.messages} stored)`, met: latency.p99 <= 10 && o.messages >= 1_000_000 }],
    tables: [
      {
        title: `History pages (${o.pageSize} messages at a random cursor, one at a time, through the gateway; ms)`,
        header: ['stored', 'pages', 'p50', 'p90', 'p99', 'p99.9', 'max', 'mean', 'pages/s', 'seeding s', 'flush + compaction settled s'],
        rows: [[o.messages, latency.count, latency.p50, latency.p90, latency.p99, latency.p999, latency.max, latency.mean, Math.round(o.pages / seconds), Math.round(seedSeconds), settled.settled ? settled.seconds : `${settled.seconds} (not settled: ${settled.note ?? ''})`]],
      },
    ],
    phases: {},
    processes: {},
    details: { latency, seedSeconds, compaction: settled, pages: o.pages, wrong },
    summary: [`history: ${o.pageSize}-message pages over ${o.messages} messages: p50 ${latency.p50} ms, p99 ${latency.p99} ms`],
  };
}
