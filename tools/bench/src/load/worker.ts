// A load worker (child process of the harness): opens its share of the sockets, sends at a fixed
// arrival rate when told to, and records send→ack latency for its own sends and send→receive
// latency for the first delivery of each message at each of its sockets, plus duplicates and
// reorderings per (socket, channel), and when its sockets last saw a `presence` event. Latency counts from the *scheduled* send time, so a generator or server that
// falls behind shows up as latency instead of silently lowering the offered load.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { encode, type Histogram, newHistogram } from '../latency';
import { benchText, type FromWorker, parseBenchText, type PhaseResult, type SocketSpec, type ToWorker } from './protocol';

interface Received {
  id: string;
  channelId: string;
  seq: number;
  text: string;
}

type SendAck = { ok: true; message: { channelId: string; seq: number } } | { ok: false; error: { code: string; message: string } };

interface PhaseState {
  ack: Histogram;
  delivery: Histogram;
  received: number;
  /** First deliveries that arrived inside the sending window. */
  inWindow: number;
  duplicates: number;
  reordered: number;
  /** channel → distinct deliveries summed over this worker's sockets. */
  distinct: Map<string, number>;
}

interface Conn {
  spec: SocketSpec;
  socket: Socket;
  /** channel → highest seq seen, and every seq seen (duplicate detection). */
  lastSeq: Map<string, number>;
  seen: Map<string, Set<number>>;
}

const CONNECT_RETRIES = 4;
const now = (): number => performance.timeOrigin + performance.now();
const conns: Conn[] = [];
const phases = new Map<string, PhaseState>();
let disconnects = 0;
const presence = { events: 0, lastAt: 0 };

function send(message: FromWorker): void {
  process.send?.(message);
}

function phaseState(phase: string): PhaseState {
  let state = phases.get(phase);
  if (!state) {
    state = { ack: newHistogram(), delivery: newHistogram(), received: 0, inWindow: 0, duplicates: 0, reordered: 0, distinct: new Map() };
    phases.set(phase, state);
  }
  return state;
}

function onMessage(conn: Conn, message: Received): void {
  const at = now();
  const tag = parseBenchText(message.text);
  if (!tag) return;
  const state = phaseState(tag.phase);
  state.received++;
  let seen = conn.seen.get(message.channelId);
  if (!seen) conn.seen.set(message.channelId, (seen = new Set()));
  if (seen.has(message.seq)) {
    state.duplicates++;
    return;
  }
  seen.add(message.seq);
  state.delivery.recordValue(Math.max(1, Math.round((at - tag.scheduledAt) * 1000)));
  if (at <= tag.windowEnd) state.inWindow++;
  state.distinct.set(message.channelId, (state.distinct.get(message.channelId) ?? 0) + 1);
  const last = conn.lastSeq.get(message.channelId) ?? 0;
  if (message.seq < last) state.reordered++;
  else conn.lastSeq.set(message.channelId, message.seq);
}

function connectOne(origin: string, spec: SocketSpec, localAddress: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = io(origin, {
      auth: { token: spec.token, rooms: spec.channels },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: 60_000,
      localAddress,
    } as Parameters<typeof io>[1]);
    const conn: Conn = { spec, socket, lastSeq: new Map(), seen: new Map() };
    socket.on('message:new', (message: Received) => onMessage(conn, message));
    socket.on('presence', () => {
      presence.events++;
      presence.lastAt = now();
    });
    socket.once('connect', () => {
      conns.push(conn);
      socket.on('disconnect', (reason) => {
        if (reason !== 'io client disconnect') disconnects++;
      });
      resolve(undefined);
    });
    socket.once('connect_error', (error) => {
      socket.close();
      resolve(error.message);
    });
  });
}

async function connectAll(command: Extract<ToWorker, { type: 'connect' }>): Promise<void> {
  const errors: string[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < command.sockets.length) {
      const index = next++;
      const spec = command.sockets[index];
      if (!spec) break;
      const address = `127.0.0.${command.firstAddress + (index % command.addresses)}`;
      // A loaded machine makes the gateway answer `unavailable` now and then (a dependency's
      // check timed out): a few retries with backoff, as a client reconnecting would.
      let error = await connectOne(spec.origin, spec, address);
      for (let attempt = 0; error === 'unavailable' && attempt < CONNECT_RETRIES; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
        error = await connectOne(spec.origin, spec, address);
      }
      if (error) errors.push(error);
    }
  };
  await Promise.all(Array.from({ length: command.concurrency }, lane));
  send({ type: 'connected', connected: conns.length, failed: errors.length, errors: [...new Set(errors)].slice(0, 5) });
}

async function runPhase(command: Extract<ToWorker, { type: 'phase' }>): Promise<void> {
  const state = phaseState(command.phase);
  const senders = conns.filter((c) => c.spec.channels.length > 0);
  const total = Math.floor((command.rate * command.durationMs) / 1000);
  const errors: Record<string, number> = {};
  const sentByChannel: Record<string, number> = {};
  const ackedByChannel: Record<string, number> = {};
  let sent = 0;
  let acked = 0;
  let answered = 0;
  const pending: Promise<void>[] = [];
  const interval = 1000 / Math.max(command.rate, 1e-9);
  // A warm-up's first sends go once to every channel of this worker's senders (in random order),
  // so that no channel is first seen by the system (the sequencer's and the store's reads of a
  // channel, the membership caches) inside a measuring window: random picks at 20 sends/s for 5 s
  // left about 120 of 200 channels cold, and their first sends made the window's tail.
  const firsts = command.coverChannels ? shuffled(oncePerChannel(senders)) : [];
  const pick = (): [Conn | undefined, string] => {
    const first = firsts.pop();
    if (first) return first;
    const conn = senders[Math.floor(Math.random() * senders.length)];
    return [conn, conn?.spec.channels[Math.floor(Math.random() * conn.spec.channels.length)] ?? ''];
  };
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const t = now();
      while (sent < total && command.startAt + sent * interval <= t) {
        const scheduledAt = command.startAt + sent * interval;
        sent++;
        const [conn, channelId] = pick();
        if (!conn) break;
        sentByChannel[channelId] = (sentByChannel[channelId] ?? 0) + 1;
        const payload = { channelId, clientMsgId: randomUUID(), text: benchText(command.phase, scheduledAt, command.startAt + command.durationMs, command.textBytes) };
        pending.push(
          new Promise<void>((done) => {
            conn.socket.timeout(30_000).emit('message:send', payload, (error: Error | null, answer: SendAck) => {
              answered++;
              if (error) errors['timeout'] = (errors['timeout'] ?? 0) + 1;
              else if (answer.ok) {
                acked++;
                ackedByChannel[channelId] = (ackedByChannel[channelId] ?? 0) + 1;
                state.ack.recordValue(Math.max(1, Math.round((now() - scheduledAt) * 1000)));
              } else errors[answer.error.code] = (errors[answer.error.code] ?? 0) + 1;
              done();
            });
          }),
        );
      }
      if (sent >= total || senders.length === 0) resolve();
      else setTimeout(tick, Math.max(1, Math.min(5, command.startAt + sent * interval - now())));
    };
    setTimeout(tick, Math.max(0, command.startAt - now()));
  });
  await Promise.all(pending);
  send({ type: 'sent', phase: command.phase, sent, acked, unanswered: sent - answered, errors, sentByChannel, ackedByChannel });
}

/** One sender and channel per channel that any of `senders` is in. */
function oncePerChannel(senders: readonly Conn[]): [Conn, string][] {
  const firsts = new Map<string, Conn>();
  for (const conn of senders) for (const channelId of conn.spec.channels) if (!firsts.has(channelId)) firsts.set(channelId, conn);
  return [...firsts].map(([channelId, conn]) => [conn, channelId]);
}

function shuffled<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

function report(phase: string): void {
  const state = phaseState(phase);
  const channels: PhaseResult['channels'] = {};
  for (const conn of conns) {
    for (const channelId of conn.spec.channels) {
      const entry = (channels[channelId] ??= { sockets: 0, distinct: 0 });
      entry.sockets++;
    }
  }
  for (const [channelId, distinct] of state.distinct) (channels[channelId] ??= { sockets: 0, distinct: 0 }).distinct = distinct;
  const result: PhaseResult = {
    ack: encode(state.ack),
    delivery: encode(state.delivery),
    received: state.received,
    inWindow: state.inWindow,
    duplicates: state.duplicates,
    reordered: state.reordered,
    channels,
    disconnects,
  };
  send({ type: 'result', phase, result });
}

process.on('message', (command: ToWorker) => {
  switch (command.type) {
    case 'connect':
      void connectAll(command);
      break;
    case 'phase':
      void runPhase(command);
      break;
    case 'progress': {
      const received: Record<string, number> = {};
      // Distinct deliveries: what the drain waits for.
      for (const [phase, state] of phases) received[phase] = [...state.distinct.values()].reduce((a, b) => a + b, 0);
      send({ type: 'progress', received, disconnects, presence });
      break;
    }
    case 'report':
      report(command.phase);
      break;
    case 'close':
      for (const conn of conns) conn.socket.close();
      send({ type: 'closed' });
      setTimeout(() => process.exit(0), 200);
      break;
  }
});

// The parent going away ends the worker: a run never leaves load behind.
process.on('disconnect', () => process.exit(0));
