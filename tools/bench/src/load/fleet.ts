// The harness's side of the load workers: forks them, hands each a share of the sockets, runs
// phases on all at once and merges what they measured.
import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type CpuPerSend } from '../cpu';
import { encode, merge, summarize, type LatencySummary } from '../latency';
import { type ConnectSpec, type FromWorker, type PhaseResult, type SocketSpec, type ToWorker } from './protocol';

export interface PhaseOutcome {
  phase: string;
  offeredRate: number;
  durationS: number;
  sent: number;
  acked: number;
  unanswered: number;
  errors: Record<string, number>;
  /** send→ack; a send not acknowledged `ok` counts as infinite. */
  ack: LatencySummary;
  /** send→first delivery at each member socket; a delivery that never came counts as infinite. */
  delivery: LatencySummary;
  /** Acknowledged sends × the members of their channel. */
  expectedDeliveries: number;
  /** All sends (acknowledged or not) × members, minus the distinct deliveries: the infinite ones. */
  undelivered: number;
  /** Deliveries that arrived, duplicates included. */
  received: number;
  /** Distinct deliveries that arrived before the sending window ended. */
  inWindow: number;
  /** In-window deliveries per second of the window. */
  deliveriesPerS: number;
  /** Acknowledged messages × members that never reached a member socket (after the drain). */
  lost: number;
  duplicates: number;
  reordered: number;
  disconnects: number;
  /** CPU per acknowledged send of each process over the measuring window (added by the scenario). */
  cpu?: CpuPerSend;
  /** Cassandra CAS (Paxos) rounds of the run's keyspace during the phase (system only). */
  cas?: { prepare: number; propose: number; commit: number; perSend: number } | { error: string };
  /** Raw merged histograms (encoded), for the JSON file. */
  histograms: { ack: string; delivery: string };
}

/** Called when the phase's first send is due and once its last delivery arrived (or the drain gave up). */
export interface PhaseWindow {
  opened(): Promise<void>;
  closed(): Promise<void>;
}

/**
 * Socket i goes to worker i mod W, and to gateway (origin) j mod G where j is its place in that
 * worker's share: every worker and every gateway get an even share, and each worker's sockets
 * alternate gateways. Every gateway reads the whole log, so a channel's members may be anywhere.
 */
export function shareOut(sockets: readonly SocketSpec[], workers: number, origins: readonly string[]): ConnectSpec[][] {
  const shares: ConnectSpec[][] = Array.from({ length: workers }, () => []);
  sockets.forEach((spec, i) => {
    const share = shares[i % workers];
    share?.push({ ...spec, origin: origins[share.length % origins.length] ?? '' });
  });
  return shares;
}

type Reply<T extends FromWorker['type']> = Extract<FromWorker, { type: T }>;

class Worker {
  private readonly waiting = new Map<string, { resolve: (message: FromWorker) => void; reject: (error: Error) => void }[]>();

  constructor(readonly child: ChildProcess) {
    child.on('message', (message: FromWorker) => this.waiting.get(message.type)?.shift()?.resolve(message));
    child.once('exit', (code) => {
      for (const queue of this.waiting.values()) for (const waiter of queue.splice(0)) waiter.reject(new Error(`load worker ${child.pid} exited (${code})`));
    });
  }

  ask<T extends FromWorker['type']>(command: ToWorker, reply: T, timeoutMs: number): Promise<Reply<T>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`load worker ${this.child.pid} did not answer ${command.type} within ${timeoutMs} ms`)), timeoutMs);
      const queue = this.waiting.get(reply) ?? [];
      queue.push({
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message as Reply<T>);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.waiting.set(reply, queue);
      this.child.send(command);
    });
  }
}

export class LoadFleet {
  private readonly workers: Worker[];
  /** channel → sockets (over all workers) that are members, for expected deliveries. */
  private readonly memberSockets = new Map<string, number>();

  private constructor(count: number) {
    const entry = join(__dirname, 'worker.ts');
    this.workers = Array.from({ length: count }, () => new Worker(fork(entry, [], { execArgv: ['-r', '@swc-node/register'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })));
  }

  static spawn(count: number): LoadFleet {
    return new LoadFleet(count);
  }

  get pids(): number[] {
    return this.workers.flatMap((w) => (w.child.pid ? [w.child.pid] : []));
  }

  /** `presence` events the sockets got so far and when the last one came (epoch ms, 0: none). */
  async presence(): Promise<{ events: number; lastAt: number }> {
    const answers = await Promise.all(this.workers.map((w) => w.ask({ type: 'progress' }, 'progress', 30_000)));
    return { events: answers.reduce((n, a) => n + a.presence.events, 0), lastAt: Math.max(0, ...answers.map((a) => a.presence.lastAt)) };
  }

  /** Opens every socket (spread round robin over the workers and over `origins`, the gateways); returns how many connected. */
  async connect(origins: readonly string[], sockets: readonly SocketSpec[], options: { addresses: number; concurrency?: number; timeoutMs?: number }): Promise<{ connected: number; failed: number; errors: string[] }> {
    const shares = shareOut(sockets, this.workers.length, origins);
    this.memberSockets.clear();
    for (const spec of sockets) for (const channel of spec.channels) this.memberSockets.set(channel, (this.memberSockets.get(channel) ?? 0) + 1);
    const answers = await Promise.all(
      this.workers.map((worker, i) =>
        worker.ask(
          { type: 'connect', sockets: shares[i] ?? [], addresses: options.addresses, firstAddress: 2 + ((i * 7) % options.addresses), concurrency: options.concurrency ?? 50 },
          'connected',
          options.timeoutMs ?? 600_000,
        ),
      ),
    );
    return {
      connected: answers.reduce((n, a) => n + a.connected, 0),
      failed: answers.reduce((n, a) => n + a.failed, 0),
      errors: [...new Set(answers.flatMap((a) => a.errors))],
    };
  }

  /**
   * Sends at `rate`/s in total for `durationS`, waits for every ack, then until every sent
   * message reached every member socket (or nothing arrived for 5 s, or `drainMs` passed), and
   * merges the workers' figures. Only this phase's sends count (their text names the phase).
   * Lost = acked messages that never reached a member socket by then; undelivered = the same over
   * all sends, which enter the delivery percentiles as infinite latencies.
   */
  async phase(phase: string, rate: number, durationS: number, options: { textBytes: number; drainMs?: number; window?: PhaseWindow; coverChannels?: boolean }): Promise<PhaseOutcome> {
    const startAt = performance.timeOrigin + performance.now() + 300;
    // The measuring window opens at the first scheduled send and closes after the drain.
    const opened = new Promise<void>((resolve, reject) => {
      setTimeout(() => void (options.window?.opened() ?? Promise.resolve()).then(resolve, reject), Math.max(0, startAt - Date.now()));
    });
    const share = rate / this.workers.length;
    const sent = await Promise.all(
      this.workers.map((w) => w.ask({ type: 'phase', phase, rate: share, startAt, durationMs: durationS * 1000, textBytes: options.textBytes, coverChannels: options.coverChannels }, 'sent', durationS * 1000 + 120_000)),
    );
    const ackedByChannel = new Map<string, number>();
    const sentByChannel = new Map<string, number>();
    for (const answer of sent) {
      for (const [channel, n] of Object.entries(answer.ackedByChannel)) ackedByChannel.set(channel, (ackedByChannel.get(channel) ?? 0) + n);
      for (const [channel, n] of Object.entries(answer.sentByChannel)) sentByChannel.set(channel, (sentByChannel.get(channel) ?? 0) + n);
    }
    let expected = 0;
    for (const [channel, n] of ackedByChannel) expected += n * (this.memberSockets.get(channel) ?? 0);
    let expectedOfAll = 0;
    for (const [channel, n] of sentByChannel) expectedOfAll += n * (this.memberSockets.get(channel) ?? 0);

    // Drain: wait while deliveries still arrive (at most drainMs), until 5 s pass without one.
    const drainUntil = Date.now() + (options.drainMs ?? 60_000);
    let lastReceived = -1;
    let lastProgressAt = Date.now();
    while (Date.now() < drainUntil && Date.now() - lastProgressAt < 5_000) {
      const progress = await Promise.all(this.workers.map((w) => w.ask({ type: 'progress' }, 'progress', 30_000)));
      const received = progress.reduce((n, p) => n + (p.received[phase] ?? 0), 0);
      if (received >= expectedOfAll) break;
      if (received !== lastReceived) lastProgressAt = Date.now();
      lastReceived = received;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }

    await opened;
    await options.window?.closed();
    const results: PhaseResult[] = (await Promise.all(this.workers.map((w) => w.ask({ type: 'report', phase }, 'result', 60_000)))).map((r) => r.result);
    const distinct = new Map<string, number>();
    for (const result of results) for (const [channel, entry] of Object.entries(result.channels)) distinct.set(channel, (distinct.get(channel) ?? 0) + entry.distinct);
    let lost = 0;
    for (const [channel, n] of ackedByChannel) lost += Math.max(0, n * (this.memberSockets.get(channel) ?? 0) - (distinct.get(channel) ?? 0));
    let undelivered = 0;
    for (const [channel, n] of sentByChannel) undelivered += Math.max(0, n * (this.memberSockets.get(channel) ?? 0) - (distinct.get(channel) ?? 0));

    const ack = merge(results.map((r) => r.ack));
    const delivery = merge(results.map((r) => r.delivery));
    const errors: Record<string, number> = {};
    for (const answer of sent) for (const [code, n] of Object.entries(answer.errors)) errors[code] = (errors[code] ?? 0) + n;
    const received = results.reduce((n, r) => n + r.received, 0);
    const inWindow = results.reduce((n, r) => n + r.inWindow, 0);
    const sentCount = sent.reduce((n, a) => n + a.sent, 0);
    const ackedCount = sent.reduce((n, a) => n + a.acked, 0);
    const outcome: PhaseOutcome = {
      phase,
      offeredRate: rate,
      durationS,
      sent: sentCount,
      acked: ackedCount,
      unanswered: sent.reduce((n, a) => n + a.unanswered, 0),
      errors,
      ack: summarize(ack, sentCount - ackedCount),
      delivery: summarize(delivery, undelivered),
      expectedDeliveries: expected,
      undelivered,
      received,
      inWindow,
      deliveriesPerS: Math.round(inWindow / durationS),
      lost,
      duplicates: results.reduce((n, r) => n + r.duplicates, 0),
      reordered: results.reduce((n, r) => n + r.reordered, 0),
      disconnects: results.reduce((n, r) => n + r.disconnects, 0),
      histograms: { ack: encode(ack), delivery: encode(delivery) },
    };
    ack.destroy();
    delivery.destroy();
    return outcome;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.workers.map((w) => (w.child.connected ? w.ask({ type: 'close' }, 'closed', 30_000) : Promise.resolve())));
    for (const w of this.workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
  }
}
