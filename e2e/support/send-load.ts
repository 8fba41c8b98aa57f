// Load for the fault tests of the send path (issue 13), through the client protocol only:
// - TimelineDevice: a Socket.IO connection that keeps, per channel, the timeline a client shows
//   (stored messages by seq, contiguous from 1), repairs a gap with `sync` from its head, and on a
//   disconnect reconnects and syncs every channel from its last seq, as PROTOCOL.md tells clients.
//   It counts what the server did wrong on the way: a seq delivered twice on one connection, a
//   seq delivered after a higher one on one connection.
// - SendLoad: several users sending to several channels at a bounded rate for a bounded time, each
//   send with a fresh clientMsgId, an unacknowledged send retried with the SAME clientMsgId (on
//   the user's other device when it has one) until acknowledged or out of tries.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { type Ack, type ClientToServerEvents, type Message, type ServerToClientEvents, type SyncResult } from '@chat/contracts';
import { sleep } from '@chat/testing';
import { io, type Socket } from 'socket.io-client';
import { type ChatUser } from './chat-client';

type TimelineSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** One channel as one device sees it. */
export class ChannelTimeline {
  /** Stored messages by seq; `head` is the highest seq with every seq 1..head present. */
  readonly bySeq = new Map<number, Message>();
  head = 0;
  /** The highest seq held (above `head` while a hole is unrepaired). */
  highest = 0;
  /** Live messages (`message:new`) received, over every connection. */
  live = 0;
  /** Messages the timeline got from `sync` (gap repair or reconnect). */
  viaSync = 0;
  /** Gaps seen in the live stream (each repaired with `sync`). */
  gaps = 0;
  /** A seq delivered live twice on one connection. */
  duplicated = 0;
  /** A seq delivered live after a higher one on one connection. */
  reordered = 0;
  /** A seq delivered (live or by sync) as a different message than the one the timeline holds. */
  conflicting = 0;
  /** A live message the timeline already had from `sync` (expected around a repair; not an error). */
  overlaps = 0;
  /** Per connection: the seqs delivered live, and the highest. */
  connectionSeqs = new Set<number>();
  connectionMax = 0;

  /** Adds a stored message; false when the timeline holds another message at that seq. */
  put(message: Message): 'added' | 'known' | 'conflict' {
    const known = this.bySeq.get(message.seq);
    if (known) {
      if (known.id === message.id && known.clientMsgId === message.clientMsgId) return 'known';
      this.conflicting++;
      return 'conflict';
    }
    this.bySeq.set(message.seq, message);
    this.highest = Math.max(this.highest, message.seq);
    while (this.bySeq.has(this.head + 1)) this.head++;
    return 'added';
  }

  newConnection(): void {
    this.connectionSeqs = new Set();
    this.connectionMax = 0;
  }
}

export interface DeviceCounters {
  reconnects: number;
  syncCalls: number;
  syncFailures: number;
}

export class TimelineDevice {
  readonly timelines = new Map<string, ChannelTimeline>();
  readonly counters: DeviceCounters = { reconnects: 0, syncCalls: 0, syncFailures: 0 };
  /** Channels announced by `channel:joined` (the connection receives their messages from then on). */
  readonly joined = new Set<string>();
  private socket: TimelineSocket | undefined;
  private readonly syncing = new Map<string, Promise<void>>();
  private closed = false;
  private reconnecting: Promise<void> | undefined;

  constructor(
    readonly name: string,
    readonly user: ChatUser,
    readonly gatewayUrl: string,
  ) {}

  get connected(): boolean {
    return this.socket?.connected ?? false;
  }

  timeline(channelId: string): ChannelTimeline {
    let timeline = this.timelines.get(channelId);
    if (!timeline) {
      timeline = new ChannelTimeline();
      this.timelines.set(channelId, timeline);
    }
    return timeline;
  }

  /** Follows these channels from seq 0 (call before their first message). */
  follow(channelIds: readonly string[]): void {
    for (const id of channelIds) this.timeline(id);
  }

  async connect(): Promise<void> {
    const socket: TimelineSocket = io(this.gatewayUrl, { auth: { token: await this.user.token() }, transports: ['websocket'], reconnection: false, forceNew: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (error) => {
        socket.close();
        reject(error);
      });
    });
    for (const timeline of this.timelines.values()) timeline.newConnection();
    socket.on('message:new', (message) => this.onLive(message));
    socket.on('channel:joined', ({ channel }) => this.joined.add(channel.id));
    socket.on('disconnect', () => {
      if (!this.closed) this.reconnecting ??= this.reconnect().finally(() => (this.reconnecting = undefined));
    });
    this.socket = socket;
  }

  /** Reconnects (bounded tries) and syncs every followed channel from its head. */
  private async reconnect(): Promise<void> {
    for (let attempt = 0; attempt < 120 && !this.closed; attempt++) {
      await sleep(500);
      try {
        await this.connect();
        this.counters.reconnects++;
        await Promise.all([...this.timelines.keys()].map((id) => this.repair(id)));
        return;
      } catch {
        // The gateway or its upstream is not back yet: try again.
      }
    }
  }

  private onLive(message: Message): void {
    const timeline = this.timelines.get(message.channelId);
    if (!timeline) return;
    timeline.live++;
    const seenHere = timeline.connectionSeqs.has(message.seq);
    if (seenHere) timeline.duplicated++;
    else if (message.seq < timeline.connectionMax) timeline.reordered++;
    timeline.connectionSeqs.add(message.seq);
    timeline.connectionMax = Math.max(timeline.connectionMax, message.seq);
    if (timeline.bySeq.has(message.seq)) {
      if (timeline.put(message) === 'known' && !seenHere) timeline.overlaps++;
      return;
    }
    const gap = message.seq > timeline.head + 1;
    timeline.put(message);
    if (gap) {
      timeline.gaps++;
      void this.repair(message.channelId);
    }
  }

  /** `sync` from the channel's head until the timeline is contiguous up to what was seen (single flight per channel). */
  repair(channelId: string): Promise<void> {
    const running = this.syncing.get(channelId);
    if (running) return running;
    const work = this.syncFrom(channelId).finally(() => this.syncing.delete(channelId));
    this.syncing.set(channelId, work);
    return work;
  }

  private async syncFrom(channelId: string): Promise<void> {
    const timeline = this.timeline(channelId);
    for (let failures = 0, short = 0; failures < 30 && short < 120 && !this.closed; ) {
      const answer = await this.syncPage(channelId, timeline.head).catch(() => undefined);
      if (!answer?.ok) {
        this.counters.syncFailures++;
        failures++;
        await sleep(1_000);
        continue;
      }
      for (const message of answer.messages) if (timeline.put(message) === 'added') timeline.viaSync++;
      if (answer.hasMore) continue;
      // A live message comes from the sequencer's log, a moment before its row is stored: a sync
      // made on seeing it can come back short of it. Ask again until the hole is filled, as the
      // web client does (apps/web chat-store, repairHoles).
      if (timeline.head >= timeline.highest) return;
      short++;
      await sleep(250);
    }
  }

  /** One `sync` page of one channel after `afterSeq` (also used by the checker to read storage). */
  syncPage(channelId: string, afterSeq: number, limit = 200, timeoutMs = 10_000): Promise<Ack<SyncResult>> {
    const socket = this.socket;
    if (!socket?.connected) return Promise.reject(new Error(`${this.name} is not connected`));
    this.counters.syncCalls++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: sync not answered within ${timeoutMs} ms`)), timeoutMs);
      socket.emit('sync', { channels: [{ channelId, afterSeq }], limit }, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
    });
  }

  /**
   * `message:send`; resolves with the acknowledgement, or with `undefined` after `timeoutMs`. An
   * acknowledgement that comes after the deadline is still handed to `late`.
   */
  send(payload: { channelId: string; clientMsgId: string; text: string }, timeoutMs: number, late: (ack: Ack<{ message: Message }>) => void): Promise<Ack<{ message: Message }> | undefined> {
    const socket = this.socket;
    if (!socket?.connected) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      let expired = false;
      const timer = setTimeout(() => {
        expired = true;
        resolve(undefined);
      }, timeoutMs);
      socket.emit('message:send', payload, (answer) => {
        if (expired) {
          late(answer);
          return;
        }
        clearTimeout(timer);
        resolve(answer);
      });
    });
  }

  close(): void {
    this.closed = true;
    this.socket?.close();
  }
}

/** A user of the load and its devices (one per gateway, typically). */
export interface LoadUser {
  user: ChatUser;
  devices: TimelineDevice[];
}

/** One logical send and what became of it. */
export interface SendRecord {
  clientMsgId: string;
  channelId: string;
  senderId: string;
  text: string;
  attempts: number;
  /** performance.now() of the first emit. */
  startedAt: number;
  /** The acknowledged message (from the attempt that was acknowledged first). */
  message?: Message;
  ackedAt?: number;
  /** Every ok acknowledgement, late ones included: all must carry the same message. */
  acks: Message[];
  /** Error codes and timeouts of the attempts that failed. */
  failures: string[];
  settled: boolean;
}

export interface SendLoadOptions {
  /** Sends started per second (new clientMsgIds; retries are extra). */
  ratePerSecond: number;
  /** A try without acknowledgement after this long is retried. */
  ackTimeoutMs: number;
  /** Tries per send, the first included. */
  maxTries: number;
  /** Pause before a retry. */
  retryDelayMs: number;
  /** A tick that finds this many sends unsettled starts none (counted as skipped). */
  maxInFlight: number;
}

export const DEFAULT_LOAD: SendLoadOptions = {
  ratePerSecond: Number(process.env['FAULT_SEND_RATE'] ?? 30),
  // Above the gateway's own deadline (COMMAND_TIMEOUT_MS, 15 s), which then answers `unavailable`
  // first: a send has at most one try in flight, and retries do not pile up in the command
  // topic faster than the system drains it (with 8 s, a slowed system drowned in its retries).
  ackTimeoutMs: 20_000,
  maxTries: 12,
  retryDelayMs: 1_000,
  maxInFlight: 400,
};

export class SendLoad {
  readonly records: SendRecord[] = [];
  skipped = 0;
  private inFlight = 0;
  private startedAt = 0;
  private settledAt = 0;
  private ticks = 0;

  constructor(
    private readonly users: readonly LoadUser[],
    private readonly channelIds: readonly string[],
    private readonly options: SendLoadOptions = DEFAULT_LOAD,
  ) {}

  /**
   * Starts sends at the configured rate for `durationMs` (and longer while `keepGoing()` says so,
   * e.g. until a fault is over), then waits until every send is acknowledged or out of tries.
   * Bounded: at most rate × duration sends, each at most maxTries.
   */
  async run(durationMs: number, keepGoing: () => boolean = () => false): Promise<void> {
    this.startedAt = performance.now();
    const intervalMs = 1000 / this.options.ratePerSecond;
    const pending: Promise<void>[] = [];
    for (let next = this.startedAt; performance.now() - this.startedAt < durationMs || keepGoing(); next += intervalMs) {
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
      if (this.inFlight >= this.options.maxInFlight) {
        this.skipped++;
        continue;
      }
      pending.push(this.sendOne(this.ticks++));
    }
    await Promise.all(pending);
    this.settledAt = performance.now();
  }

  private async sendOne(tick: number): Promise<void> {
    const channelId = this.channelIds[tick % this.channelIds.length];
    const sender = this.users[Math.floor(tick / this.channelIds.length) % this.users.length];
    if (!channelId || !sender) throw new Error('a load needs users and channels');
    const record: SendRecord = {
      clientMsgId: randomUUID(),
      channelId,
      senderId: sender.user.id,
      text: `load ${tick} ${randomUUID().slice(0, 8)}`,
      attempts: 0,
      startedAt: performance.now(),
      acks: [],
      failures: [],
      settled: false,
    };
    this.records.push(record);
    this.inFlight++;
    try {
      await this.deliver(record, sender.devices);
    } finally {
      record.settled = true;
      this.inFlight--;
    }
  }

  /** Tries until acknowledged or out of tries, each retry on the next connected device of the user. */
  private async deliver(record: SendRecord, devices: readonly TimelineDevice[]): Promise<void> {
    const payload = { channelId: record.channelId, clientMsgId: record.clientMsgId, text: record.text };
    const late = (ack: Ack<{ message: Message }>): void => {
      if (ack.ok) this.accept(record, ack.message);
    };
    while (record.attempts < this.options.maxTries) {
      const device = pickDevice(devices, record.attempts);
      record.attempts++;
      const ack = device ? await device.send(payload, this.options.ackTimeoutMs, late) : undefined;
      if (ack?.ok) {
        this.accept(record, ack.message);
        return;
      }
      record.failures.push(!device ? 'no connected device' : ack ? ack.error.code : 'no ack in time');
      if (ack && !ack.ok && (ack.error.code === 'invalid' || ack.error.code === 'forbidden' || ack.error.code === 'not_found')) return;
      if (record.message) return;
      // Backoff: 1, 2, 4, 5, 5 … × retryDelayMs.
      await sleep(this.options.retryDelayMs * Math.min(5, 2 ** (record.attempts - 1)));
    }
  }

  private accept(record: SendRecord, message: Message): void {
    record.acks.push(message);
    if (!record.message) {
      record.message = message;
      record.ackedAt = performance.now();
    }
  }

  /** The longest time, from the start of the load until every send settled, with no acknowledgement at all. */
  longestPauseMs(): number {
    const times = this.records.flatMap((r) => (r.ackedAt === undefined ? [] : [r.ackedAt])).sort((a, b) => a - b);
    const end = this.settledAt || performance.now();
    let longest = 0;
    let previous = this.startedAt;
    for (const at of [...times, end]) {
      longest = Math.max(longest, at - previous);
      previous = at;
    }
    return longest;
  }

  /** Acknowledgements per `bucketMs` from the start of the load (where the pause was, and how long recovery took). */
  ackTimeline(bucketMs = 5_000): number[] {
    const buckets: number[] = [];
    for (const r of this.records) {
      if (r.ackedAt === undefined) continue;
      const i = Math.floor((r.ackedAt - this.startedAt) / bucketMs);
      while (buckets.length <= i) buckets.push(0);
      buckets[i] = (buckets[i] ?? 0) + 1;
    }
    return buckets;
  }

  /** Seconds from the start until every send settled. */
  durationSeconds(): number {
    return ((this.settledAt || performance.now()) - this.startedAt) / 1000;
  }
}

function pickDevice(devices: readonly TimelineDevice[], attempt: number): TimelineDevice | undefined {
  for (let i = 0; i < devices.length; i++) {
    const device = devices[(attempt + i) % devices.length];
    if (device?.connected) return device;
  }
  return undefined;
}
