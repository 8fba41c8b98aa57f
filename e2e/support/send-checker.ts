// The checker of the send-path fault tests: after a fault under load, reads every channel's full
// history twice (REST pages and `sync` pages), compares it with what the senders were told and
// with what every device shows, and counts what went wrong. Only the client protocol is used.
import { type Message } from '@chat/contracts';
import { waitFor, sleep } from '@chat/testing';
import { type ChatUser } from './chat-client';
import { type SendLoad, type SendRecord, type TimelineDevice } from './send-load';

export interface FaultCounts {
  fault: string;
  /** Sends started, acknowledged, never acknowledged; tries in all. */
  sends: number;
  acked: number;
  unacked: number;
  tries: number;
  /** Sends that needed more than one try. */
  retried: number;
  /** Messages stored, over all channels. */
  stored: number;
  /** Acknowledged but not stored, or stored as another message than the ack said; a device missing a stored message. */
  lost: number;
  /** A clientMsgId stored more than once (extra copies), or a seq delivered twice to a device. */
  duplicated: number;
  /** Stored seqs not 1..N; a device given a seq after a higher one. */
  reordered: number;
  /** Two acknowledgements of one clientMsgId with different messages. */
  conflictingAcks: number;
  /** Unacknowledged sends that were stored (allowed, once). */
  unackedStored: number;
  /** REST history and `sync` disagree. */
  readMismatch: number;
  /** Stored messages no test send asked for. */
  foreign: number;
  /** Device-side: messages filled in by `sync`, gaps seen, reconnects. */
  viaSync: number;
  gaps: number;
  reconnects: number;
  longestPauseMs: number;
  /** Acknowledgements per 5 s from the start of the load. */
  ackTimeline: number[];
  /** Per failure kind of a try: how many. */
  failures: Record<string, number>;
}

export interface CheckInput {
  fault: string;
  load: SendLoad;
  /** Extra sends made outside the load (e.g. the retry test), checked the same way. */
  extra?: SendRecord[];
  channelIds: readonly string[];
  /** Reads REST history (a member, and a gateway whose upstream is alive). */
  reader: ChatUser;
  readerOrigin: string;
  /** Reads `sync` (a connected device of a member). */
  syncReader: TimelineDevice;
  /** Every device of every member, all following every channel. */
  devices: readonly TimelineDevice[];
  /** How long devices get to catch up with storage. */
  settleMs?: number;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

async function readSync(device: TimelineDevice, channelId: string): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const after = all.at(-1)?.seq ?? 0;
    const answer = await waitFor(`sync of ${channelId} after ${after}`, async () => {
      const page = await device.syncPage(channelId, after, 500).catch(() => undefined);
      return page?.ok ? page : undefined;
    }, 60_000, 500);
    all.push(...answer.messages);
    if (!answer.hasMore) return all;
    if (answer.messages.length === 0) throw new Error('sync answered hasMore with no messages');
  }
}

const same = (a: Message | undefined, b: Message | undefined): boolean =>
  a !== undefined && b !== undefined && a.id === b.id && a.seq === b.seq && a.channelId === b.channelId && a.clientMsgId === b.clientMsgId && a.text === b.text && a.senderId === b.senderId;

export async function checkSends(input: CheckInput): Promise<FaultCounts> {
  const records = [...input.load.records, ...(input.extra ?? [])];
  const counts: FaultCounts = {
    fault: input.fault,
    sends: records.length,
    acked: records.filter((r) => r.message).length,
    unacked: records.filter((r) => !r.message).length,
    tries: records.reduce((n, r) => n + r.attempts, 0),
    retried: records.filter((r) => r.attempts > 1).length,
    stored: 0,
    lost: 0,
    duplicated: 0,
    reordered: 0,
    conflictingAcks: 0,
    unackedStored: 0,
    readMismatch: 0,
    foreign: 0,
    viaSync: 0,
    gaps: 0,
    reconnects: input.devices.reduce((n, d) => n + d.counters.reconnects, 0),
    longestPauseMs: Math.round(input.load.longestPauseMs()),
    ackTimeline: input.load.ackTimeline(),
    failures: {},
  };
  for (const r of records) {
    for (const f of r.failures) counts.failures[f] = (counts.failures[f] ?? 0) + 1;
    if (r.acks.some((m) => !same(m, r.message))) counts.conflictingAcks++;
  }

  // Storage, read twice: REST pages and sync pages must agree.
  const stored = new Map<string, Message[]>();
  for (const channelId of input.channelIds) {
    const history = await waitFor(`history of ${channelId}`, () => input.reader.history(channelId, input.readerOrigin).catch(() => undefined), 60_000, 1_000);
    const synced = await readSync(input.syncReader, channelId);
    if (history.length !== synced.length || history.some((m, i) => !same(m, synced[i]))) counts.readMismatch++;
    stored.set(channelId, history);
    counts.stored += history.length;
    // Gap-free, in order: seq i at position i.
    counts.reordered += history.filter((m, i) => m.seq !== i + 1).length;
  }

  // Every acknowledged message stored exactly once, as acknowledged; unacknowledged at most once.
  const sentIds = new Map(records.map((r) => [r.clientMsgId, r]));
  const copies = new Map<string, Message[]>();
  for (const history of stored.values()) {
    for (const m of history) {
      if (!sentIds.has(m.clientMsgId)) counts.foreign++;
      const list = copies.get(m.clientMsgId) ?? [];
      list.push(m);
      copies.set(m.clientMsgId, list);
    }
  }
  for (const r of records) {
    const found = copies.get(r.clientMsgId) ?? [];
    counts.duplicated += Math.max(0, found.length - 1);
    if (r.message) {
      if (!found.some((m) => same(m, r.message))) counts.lost++;
    } else if (found.length > 0) counts.unackedStored++;
  }

  // Every device: every stored message exactly once, in seq order (sync repairs included).
  const settleMs = input.settleMs ?? 60_000;
  await waitFor(
    'every device to reach the stored head of every channel',
    () => input.devices.every((d) => input.channelIds.every((c) => d.timeline(c).head >= (stored.get(c)?.length ?? 0))),
    settleMs,
    200,
  ).catch(() => undefined);
  // Time for a late duplicate, should there be one, to arrive before counting.
  await sleep(1_000);
  for (const device of input.devices) {
    for (const channelId of input.channelIds) {
      const timeline = device.timeline(channelId);
      const history = stored.get(channelId) ?? [];
      counts.lost += range(history.length).filter((seq) => !same(timeline.bySeq.get(seq), history[seq - 1])).length;
      counts.lost += timeline.conflicting;
      counts.duplicated += timeline.duplicated + Math.max(0, timeline.bySeq.size - history.length);
      counts.reordered += timeline.reordered;
      counts.viaSync += timeline.viaSync;
      counts.gaps += timeline.gaps;
    }
  }
  return counts;
}

/** The assertion of every fault test: nothing lost, duplicated or reordered, and the load mostly acknowledged. */
export function expectClean(counts: FaultCounts): void {
  expect({
    lost: counts.lost,
    duplicated: counts.duplicated,
    reordered: counts.reordered,
    conflictingAcks: counts.conflictingAcks,
    readMismatch: counts.readMismatch,
    foreign: counts.foreign,
  }).toEqual({ lost: 0, duplicated: 0, reordered: 0, conflictingAcks: 0, readMismatch: 0, foreign: 0 });
  // The load really ran and the system recovered: most sends were acknowledged.
  expect(counts.acked).toBeGreaterThan(counts.sends * 0.9);
}

/** One line for the test log. */
export function describeCounts(c: FaultCounts): string {
  const failures = Object.entries(c.failures).map(([k, n]) => `${n} ${k}`).join(', ') || 'none';
  return (
    `[${c.fault}] sends ${c.sends} (acked ${c.acked}, unacked ${c.unacked}, retried ${c.retried}, tries ${c.tries}; failed tries: ${failures}); ` +
    `stored ${c.stored}; lost ${c.lost}, duplicated ${c.duplicated}, reordered ${c.reordered}, conflicting acks ${c.conflictingAcks}, ` +
    `REST/sync mismatches ${c.readMismatch}, foreign ${c.foreign}, unacked stored ${c.unackedStored}; ` +
    `devices: ${c.viaSync} via sync, ${c.gaps} gaps, ${c.reconnects} reconnects; longest send pause ${(c.longestPauseMs / 1000).toFixed(1)} s; ` +
    `acks per 5 s: ${c.ackTimeline.join(' ')}`
  );
}

/** Checks a fault's sends, logs the counts (the figures a closing note quotes) and asserts them clean. */
export async function checkClean(input: CheckInput): Promise<FaultCounts> {
  const counts = await checkSends(input);
  console.log(describeCounts(counts));
  expectClean(counts);
  return counts;
}
