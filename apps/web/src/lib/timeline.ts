// One channel's messages as the client holds them: stored messages sorted by `seq` with no
// duplicates, the sends still pending (matched to their stored message by `clientMsgId`), and
// what is known about older history. Pure functions, so the merge/dedup/gap rules are unit-tested.
import type { Message } from '@chat/contracts';

export type PendingState = 'sending' | 'failed';

export interface PendingMessage {
  clientMsgId: string;
  channelId: string;
  text: string;
  threadId?: string;
  fileIds?: string[];
  createdAt: string;
  state: PendingState;
  error?: string;
}

export interface Timeline {
  /** Stored messages, ascending by seq, unique by seq. */
  messages: Message[];
  pending: PendingMessage[];
  /** Older messages exist before messages[0]. */
  hasMoreBefore: boolean;
  loaded: boolean;
}

export const EMPTY_TIMELINE: Timeline = { messages: [], pending: [], hasMoreBefore: true, loaded: false };

/**
 * Merges messages into a sorted, seq-unique list. A message with a seq already held replaces the
 * held one (edits, deletes and reactions arrive as `message:updated` with the same seq).
 */
export function mergeMessages(existing: readonly Message[], incoming: readonly Message[]): Message[] {
  if (incoming.length === 0) return existing as Message[];
  const bySeq = new Map<number, Message>();
  for (const message of existing) bySeq.set(message.seq, message);
  for (const message of incoming) bySeq.set(message.seq, message);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** Stored messages in, pending sends with the same clientMsgId out. */
export function applyStored(timeline: Timeline, incoming: readonly Message[]): Timeline {
  if (incoming.length === 0) return timeline;
  const stored = new Set(incoming.map((m) => m.clientMsgId));
  return {
    ...timeline,
    messages: mergeMessages(timeline.messages, incoming),
    pending: timeline.pending.filter((p) => !stored.has(p.clientMsgId)),
  };
}

/** The highest seq up to which the timeline holds every message (0 if none). */
export function contiguousHead(messages: readonly Message[]): number {
  if (messages.length === 0) return 0;
  let head = (messages[0]).seq;
  for (const message of messages) {
    if (message.seq > head + 1) break;
    head = message.seq;
  }
  return head;
}

/**
 * Whether a live message leaves a hole: its seq is beyond the next one expected. The client then
 * syncs from `contiguousHead` instead of showing a gap.
 */
export function hasGapBefore(timeline: Timeline, message: Message): boolean {
  if (!timeline.loaded || timeline.messages.length === 0) return false;
  return message.seq > contiguousHead(timeline.messages) + 1;
}

/**
 * Whether seqs are missing below the newest message held. A live `message:new` comes straight
 * from the sequencer's log and can be a moment ahead of what is stored, so a `sync` made on seeing
 * a gap may come back short of it: the client asks again until the hole is filled.
 */
export function hasHole(timeline: Timeline | undefined): boolean {
  if (!timeline?.loaded || timeline.messages.length === 0) return false;
  return contiguousHead(timeline.messages) < (timeline.messages[timeline.messages.length - 1]?.seq ?? 0);
}

export function addPending(timeline: Timeline, pending: PendingMessage): Timeline {
  const others = timeline.pending.filter((p) => p.clientMsgId !== pending.clientMsgId);
  return { ...timeline, pending: [...others, pending] };
}

export function setPendingState(timeline: Timeline, clientMsgId: string, state: PendingState, error?: string): Timeline {
  return {
    ...timeline,
    pending: timeline.pending.map((p) => (p.clientMsgId === clientMsgId ? { ...p, state, ...(error === undefined ? {} : { error }) } : p)),
  };
}

export interface SenderRun {
  senderId: string;
  messages: Message[];
}

export interface DayGroup {
  day: string;
  runs: SenderRun[];
}

const RUN_GAP_MS = 5 * 60_000;

/**
 * Groups messages by local calendar day, then into runs of one sender (a new run after five
 * minutes of silence), the way chat apps show a name once per burst.
 */
export function groupMessages(messages: readonly Message[], dayOf: (iso: string) => string = localDay): DayGroup[] {
  const days: DayGroup[] = [];
  let lastTime = 0;
  for (const message of messages) {
    const day = dayOf(message.createdAt);
    let group = days[days.length - 1];
    if (!group || group.day !== day) {
      group = { day, runs: [] };
      days.push(group);
    }
    const time = Date.parse(message.createdAt);
    const run = group.runs[group.runs.length - 1];
    if (run && run.senderId === message.senderId && time - lastTime < RUN_GAP_MS) run.messages.push(message);
    else group.runs.push({ senderId: message.senderId, messages: [message] });
    lastTime = time;
  }
  return days;
}

export function localDay(iso: string): string {
  const date = new Date(iso);
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
}
