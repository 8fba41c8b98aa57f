// Issue 14, "Done when": each engine (Kafka, Cassandra, PostgreSQL, Redis, S3) is gone for 30 s
// while users send messages, upload files, register, join and sign in; afterwards nothing
// acknowledged is lost, no projection diverged from its source, and every service recovered by
// itself (ready again, never restarted).
//
// Each engine is cut with a TCP proxy between this run's processes and the real engine (as in
// engine-outage.e2e-spec.ts): the shared engines keep serving everyone else. What the test
// accepts while an engine is gone: an action answered with a refusal of the protocol (an HTTP
// error status with `{error: {code}}`, `unavailable` on a socket), or, for the upload's PUT to the
// presigned S3 URL, a refused connection. What it does not accept: a 500, a request left without
// an answer, a send acknowledged and then lost, duplicated or reordered, a projection that never
// catches up with its source, a service that needs a restart, a record dead-lettered because its
// engine was away.
//
// Timeline per engine: load starts; 3 s later the engine goes; 30 s later it returns; the load
// goes on for 8 s more (so that every channel has messages after the outage); then the checks.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { type ErrorBody, type FileMeta } from '@chat/contracts';
import { http, sleep, uniqueName, waitFor } from '@chat/testing';
import { type ChatUser } from '../support/chat-client';
import { FaultScenario } from '../support/fault-scenario';
import { ProjectionCheck } from '../support/projections';
import { withServiceLogs } from '../support/failure-logs';
import { checkClean } from '../support/send-checker';
import { DEFAULT_LOAD, SendLoad } from '../support/send-load';
import { type Engine, type EngineProxies, openEngineProxies, throughProxies } from '../support/engine-proxies';
import { TestSystem } from '../support/test-system';

const OUTAGE_MS = Number(process.env['OUTAGE_MS'] ?? 30_000);
const BEFORE_MS = 3_000;
const AFTER_MS = 8_000;
/** No single request may stay unanswered this long (the gateway's own deadlines are shorter). */
const REQUEST_DEADLINE_MS = 40_000;
const PROCESSES = ['auth', 'messaging-0', 'presence', 'files', 'gateway-0'];
const PASSWORD = 'correct horse battery staple';

/** What became of one action: `ok`, or how it was refused. */
type Outcome = string;

class Tally {
  readonly outcomes: Record<string, Record<Outcome, number>> = {};

  add(action: string, outcome: Outcome): void {
    const counts = (this.outcomes[action] ??= {});
    counts[outcome] = (counts[outcome] ?? 0) + 1;
  }

  /** Outcomes that are not a clean answer: a 500, no answer, anything unexpected. */
  unclean(): string[] {
    return Object.entries(this.outcomes).flatMap(([action, counts]) =>
      Object.keys(counts)
        .filter((o) => o !== 'ok' && !/^([a-z]+ )?(4\d\d|50[234]) [a-z_]+$/.test(o) && !(action === 'upload' && o === 'put refused'))
        .map((o) => `${action}: ${o} ×${counts[o]}`),
    );
  }
}

/** An HTTP call with a deadline, its answer reduced to an outcome (`ok`, `503 unavailable`, `no answer`). */
async function call<T>(origin: string, method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<{ outcome: Outcome; body?: T }> {
  const deadline = sleep(REQUEST_DEADLINE_MS).then(() => undefined);
  const answer = await Promise.race([http<T | ErrorBody>(origin, method, path, options).catch(() => null), deadline]);
  if (answer === undefined) return { outcome: 'no answer' };
  if (answer === null) return { outcome: 'connection failed' };
  if (answer.status < 300) return { outcome: 'ok', body: answer.body as T };
  const code = (answer.body as ErrorBody | undefined)?.error?.code ?? 'no error body';
  return { outcome: `${answer.status} ${code}` };
}

describe('30-second engine outages under load', () => {
  // Empty until beforeAll opened them, so afterAll has nothing to close if that failed first.
  let proxies = {} as EngineProxies;
  let system: TestSystem;
  let scenario: FaultScenario;
  let projections: ProjectionCheck;
  let pids: Record<string, number | undefined>;

  beforeAll(async () => {
    proxies = await openEngineProxies();
    system = await TestSystem.start({
      engines: throughProxies(proxies),
      env: {
        // A send waits at most 5 s for messaging before `unavailable`, so the load retries soon after an engine returns.
        gateway: { SEND_RATE_LIMIT: '2000/1s,10000/5s', COMMAND_TIMEOUT_MS: '5000' },
        auth: { AUTH_REGISTER_LIMIT_PER_ADDRESS: '10000' },
      },
    });
    scenario = await FaultScenario.start(system, 3, 1);
    projections = await ProjectionCheck.open(system);
    pids = Object.fromEntries(PROCESSES.map((name) => [name, system.find(name).pid]));
  }, 240_000);

  afterAll(async () => {
    scenario?.close();
    await projections?.close();
    await Promise.all(Object.values(proxies).map((proxy) => proxy.up()));
    await system?.stop();
    await system?.dropData();
    await Promise.all(Object.values(proxies).map((proxy) => proxy.down()));
  }, 120_000);

  const origin = (): string => system.gatewayUrl(0);

  /** Creates, uploads and completes one small file; the outcome of the first step that failed. */
  async function upload(user: ChatUser): Promise<{ outcome: Outcome; file?: FileMeta; uncompleted?: FileMeta; bytes: Uint8Array }> {
    const bytes = new TextEncoder().encode(`notes ${randomUUID()}\n`.repeat(40));
    const started = await call<{ file: FileMeta; upload: { url: string; method: string; headers: Record<string, string> } }>(origin(), 'POST', '/api/files', {
      token: await user.token(),
      body: { name: `${uniqueName('notes')}.txt`, contentType: 'text/plain', size: bytes.length },
    });
    if (!started.body) return { outcome: started.outcome, bytes };
    const { upload: target, file } = started.body;
    const put = await fetch(target.url, { method: target.method, headers: target.headers, body: bytes, signal: AbortSignal.timeout(REQUEST_DEADLINE_MS) }).catch(() => undefined);
    if (!put) return { outcome: 'put refused', bytes };
    if (put.status !== 200) return { outcome: `put ${put.status}`, bytes };
    const completed = await call<{ file: FileMeta }>(origin(), 'POST', `/api/files/${file.id}/complete`, { token: await user.token() });
    // A client whose `complete` was refused for the time being calls it again later (it is idempotent).
    return { outcome: completed.outcome, ...(completed.body ? { file: completed.body.file } : { uncompleted: file }), bytes };
  }

  /**
   * Registers a user who then joins the scenario's workspace and a channel, step by step. Stops at
   * the first refused step and says which; `resume` takes it up from there, as a client retrying
   * a refused call once the service is back (each step may be called again).
   */
  async function join(channelId: string): Promise<{ outcome: Outcome; resume?: () => Promise<Outcome> }> {
    const username = uniqueName('joiner');
    const registered = await call<{ user: { id: string } }>(origin(), 'POST', '/auth/register', { body: { username, password: PASSWORD } });
    if (!registered.body) return { outcome: `register ${registered.outcome}` };
    const userId = registered.body.user.id;
    const owner = await scenario.owner.token();
    const steps: [string, () => Promise<{ outcome: Outcome }>][] = [
      ['invite', () => call(origin(), 'POST', `/api/workspaces/${scenario.workspaceId}/invitations`, { token: owner, body: { userId } })],
      [
        'accept',
        async () => {
          const login = await call<{ accessToken: string }>(origin(), 'POST', '/auth/login', { body: { username, password: PASSWORD } });
          return login.body ? call(origin(), 'POST', `/api/me/invitations/${scenario.workspaceId}/accept`, { token: login.body.accessToken }) : login;
        },
      ],
      ['add', () => call(origin(), 'POST', `/api/channels/${channelId}/members`, { token: owner, body: { userId } })],
    ];
    const run = async (from: number): Promise<{ outcome: Outcome; failed?: number }> => {
      for (let i = from; i < steps.length; i++) {
        const [name, step] = steps[i] ?? ['none', () => Promise.resolve({ outcome: 'no step' })];
        const { outcome } = await step();
        if (outcome !== 'ok') return { outcome: `${name} ${outcome}`, failed: i };
      }
      return { outcome: 'ok' };
    };
    const first = await run(0);
    if (first.failed === undefined) return first;
    let from = first.failed;
    return {
      outcome: first.outcome,
      resume: async () => {
        const next = await run(from);
        if (next.failed !== undefined) from = next.failed;
        return next.outcome;
      },
    };
  }

  /** Repeats `action` every `everyMs` until `until` settles (one at a time). */
  async function repeat(everyMs: number, until: Promise<void>, action: () => Promise<void>): Promise<void> {
    let done = false;
    void until.then(() => (done = true));
    while (!done) {
      const started = performance.now();
      await action();
      await sleep(Math.max(0, everyMs - (performance.now() - started)));
    }
  }

  /** Records parked in a dead-letter topic so far, per process and series (from each /metrics); none is the rule. */
  async function deadLetters(): Promise<Record<string, number>> {
    const parked: Record<string, number> = {};
    for (const name of PROCESSES) {
      const metrics = await (await fetch(`${system.metricsUrl(name)}/metrics`)).text();
      for (const [, labels, count] of metrics.matchAll(/^kafka_consumer_dead_letters_total\{([^}]*)\} (\S+)$/gm)) {
        if (Number(count) > 0) parked[`${name} ${labels}`] = Number(count);
      }
    }
    return parked;
  }

  async function readiness(name: string): Promise<number> {
    return (await fetch(`${system.find(name).url}/health/ready`).catch(() => undefined))?.status ?? 0;
  }

  it.each(['kafka', 'cassandra', 'postgres', 'redis', 's3'] as Engine[])('%s gone for 30 s', (engine) => withServiceLogs(system.processes, () => outage(engine)), 300_000);

  async function outage(engine: Engine): Promise<void> {
    const channels = await scenario.newChannels(2, `outage-${engine}`);
    const uploader = scenario.users[1]?.user;
    const signer = scenario.users[2]?.user;
    if (!uploader || !signer) throw new Error('the scenario has too few users');
    const tally = new Tally();
    const completed: { file: FileMeta; bytes: Uint8Array }[] = [];
    const uncompleted: { file: FileMeta; bytes: Uint8Array }[] = [];
    const unfinishedJoins: (() => Promise<Outcome>)[] = [];

    const load = new SendLoad(scenario.users, channels, { ...DEFAULT_LOAD, ratePerSecond: 4, ackTimeoutMs: 8_000, retryDelayMs: 500, maxTries: 20 });
    const sending = load.run(BEFORE_MS + OUTAGE_MS + AFTER_MS);
    const outage = (async () => {
      await sleep(BEFORE_MS);
      await proxies[engine].down();
      await sleep(OUTAGE_MS);
      await proxies[engine].up();
      await sleep(AFTER_MS);
    })();
    await Promise.all([
      sending,
      outage,
      repeat(3_000, outage, async () => {
        const result = await upload(uploader);
        tally.add('upload', result.outcome);
        if (result.file) completed.push({ file: result.file, bytes: result.bytes });
        if (result.uncompleted) uncompleted.push({ file: result.uncompleted, bytes: result.bytes });
      }),
      repeat(2_000, outage, async () => tally.add('sign-in', (await call(origin(), 'POST', '/auth/login', { body: { username: signer.username, password: PASSWORD } })).outcome)),
      repeat(4_000, outage, async () => {
        const joined = await join(channels[0] ?? '');
        tally.add('join', joined.outcome);
        if (joined.resume) unfinishedJoins.push(joined.resume);
      }),
    ]);
    console.log(`[outage ${engine}] ${JSON.stringify(tally.outcomes)}`);

    // Every service recovered by itself: ready again, the same processes as before.
    for (const name of PROCESSES) await waitFor(`${name} ready after ${engine} returned`, async () => (await readiness(name)) === 200, 60_000, 500);
    expect(Object.fromEntries(PROCESSES.map((name) => [name, system.find(name).pid]))).toEqual(pids);
    for (const name of PROCESSES) expect(system.find(name).running).toBe(true);

    // Refusals were clean, and each kind of action works again.
    expect(tally.unclean()).toEqual([]);
    await waitFor('a sign-in after the outage', async () => (await call(origin(), 'POST', '/auth/login', { body: { username: signer.username, password: PASSWORD } })).outcome === 'ok', 30_000, 1_000);
    const after = await waitFor('an upload after the outage', async () => {
      const result = await upload(uploader);
      return result.file ? { file: result.file, bytes: result.bytes } : undefined;
    }, 30_000, 1_000);
    completed.push(after);
    for (const { file, bytes } of uncompleted) {
      const done = await waitFor(`complete of ${file.id} again`, async () => (await call<{ file: FileMeta }>(origin(), 'POST', `/api/files/${file.id}/complete`, { token: await uploader.token() })).body, 30_000, 1_000);
      completed.push({ file: done.file, bytes });
    }
    expect((await join(channels[1] ?? '')).outcome).toBe('ok');
    for (const resume of unfinishedJoins) await waitFor('a refused join to go through when retried', async () => (await resume()) === 'ok', 30_000, 1_000);
    // Every completed upload is downloadable, byte for byte, by its owner.
    for (const { file, bytes } of completed) {
      const link = await fetch(new URL(`/api/files/${file.id}`, origin()), { redirect: 'manual', headers: { authorization: `Bearer ${await uploader.token()}` } });
      expect(link.status).toBe(302);
      const body = new Uint8Array(await (await fetch(link.headers.get('location') ?? '')).arrayBuffer());
      expect(Buffer.from(body).equals(Buffer.from(bytes))).toBe(true);
    }

    // Nothing acknowledged is lost, duplicated or reordered; every device caught up.
    const syncReader = scenario.devices[0];
    if (!syncReader) throw new Error('the scenario has no device');
    const counts = await checkClean({
      fault: `${engine} gone for ${OUTAGE_MS / 1000} s`,
      load,
      channelIds: channels,
      reader: scenario.owner,
      readerOrigin: origin(),
      syncReader,
      devices: scenario.devices,
      settleMs: 60_000,
    });
    expect(counts.unacked).toBe(0);

    // Every projection caught up with its source.
    let last: string[] = [];
    await waitFor(`projections to agree after ${engine} returned`, async () => (last = await projections.divergences()).length === 0, 60_000, 1_000).catch(() => undefined);
    expect(last).toEqual([]);
    const sizes = await projections.sizes();
    console.log(`[outage ${engine}] projections agree over ${JSON.stringify(sizes)}`);
    for (const rows of Object.values(sizes)) expect(rows).toBeGreaterThan(0);

    // While an engine was gone its consumers paused: nothing was dead-lettered (only records that
    // can never succeed are, and this load makes none).
    expect(await deadLetters()).toEqual({});
  }
});
