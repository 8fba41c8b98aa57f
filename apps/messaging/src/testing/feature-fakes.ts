// In-memory fakes of the issue-9 adapters (unread ledgers, thread listings) for unit specs, and a
// MessageChanges for specs that do not exercise message changes.
import { AppError } from '@chat/service-kit';
import { type ChangeOutcome, type MessageChanges } from '../edits/message-changes.service';
import { type ReplyEntry, type SeqBy, type UnreadLedgerRepository } from '../read-state/unread-ledger.repository';
import { type ThreadKey, type ThreadsRepository } from '../threads/threads.repository';
import { type Public } from './fakes';

export class FakeUnreadLedger implements Public<UnreadLedgerRepository> {
  readonly deleted = new Map<string, Map<number, string>>();
  readonly replies = new Map<string, Map<number, ReplyEntry>>();
  readonly userMentions = new Map<string, Set<number>>();
  readonly channelMentions = new Map<string, Map<number, string>>();

  addDeleted(channelId: string, entry: SeqBy): Promise<void> {
    mapOf(this.deleted, channelId).set(entry.seq, entry.senderId);
    return Promise.resolve();
  }

  deletedAfter(channelId: string, after: number): Promise<SeqBy[]> {
    return Promise.resolve([...(this.deleted.get(channelId) ?? [])].filter(([s]) => s > after).map(([seq, senderId]) => ({ seq, senderId })));
  }

  addReply(channelId: string, entry: ReplyEntry): Promise<void> {
    mapOf(this.replies, channelId).set(entry.seq, entry);
    return Promise.resolve();
  }

  removeReply(channelId: string, seq: number): Promise<void> {
    this.replies.get(channelId)?.delete(seq);
    return Promise.resolve();
  }

  repliesAfter(channelId: string, after: number): Promise<ReplyEntry[]> {
    return Promise.resolve([...(this.replies.get(channelId)?.values() ?? [])].filter((r) => r.seq > after));
  }

  addUserMention(userId: string, channelId: string, seq: number): Promise<void> {
    setOf(this.userMentions, `${userId}/${channelId}`).add(seq);
    return Promise.resolve();
  }

  removeUserMention(userId: string, channelId: string, seq: number): Promise<void> {
    this.userMentions.get(`${userId}/${channelId}`)?.delete(seq);
    return Promise.resolve();
  }

  userMentionsAfter(userId: string, channelId: string, after: number): Promise<number[]> {
    return Promise.resolve([...(this.userMentions.get(`${userId}/${channelId}`) ?? [])].filter((s) => s > after));
  }

  addChannelMention(channelId: string, entry: SeqBy): Promise<void> {
    mapOf(this.channelMentions, channelId).set(entry.seq, entry.senderId);
    return Promise.resolve();
  }

  removeChannelMention(channelId: string, seq: number): Promise<void> {
    this.channelMentions.get(channelId)?.delete(seq);
    return Promise.resolve();
  }

  channelMentionsAfter(channelId: string, after: number): Promise<SeqBy[]> {
    return Promise.resolve([...(this.channelMentions.get(channelId) ?? [])].filter(([s]) => s > after).map(([seq, senderId]) => ({ seq, senderId })));
  }
}

export class FakeThreadsRepository implements Public<ThreadsRepository> {
  readonly replies = new Map<string, Map<number, { senderId: string; deleted: boolean }>>();
  readonly participants = new Map<string, Set<string>>();

  addReply(thread: ThreadKey, seq: number, senderId: string): Promise<void> {
    mapOf(this.replies, key(thread)).set(seq, { senderId, deleted: false });
    return Promise.resolve();
  }

  markDeleted(thread: ThreadKey, seq: number): Promise<void> {
    const reply = this.replies.get(key(thread))?.get(seq);
    if (reply) reply.deleted = true;
    return Promise.resolve();
  }

  liveReplySeqs(thread: ThreadKey): Promise<number[]> {
    const rows = [...(this.replies.get(key(thread)) ?? [])].filter(([, r]) => !r.deleted).map(([seq]) => seq);
    return Promise.resolve(rows.sort((a, b) => a - b));
  }

  replySeqsAfter(thread: ThreadKey, after: number, limit: number): Promise<number[]> {
    const seqs = [...(this.replies.get(key(thread))?.keys() ?? [])].filter((s) => s > after).sort((a, b) => a - b);
    return Promise.resolve(seqs.slice(0, limit));
  }

  addParticipants(thread: ThreadKey, userIds: readonly string[]): Promise<void> {
    for (const id of userIds) setOf(this.participants, key(thread)).add(id);
    return Promise.resolve();
  }

  isParticipant(thread: ThreadKey, userId: string): Promise<boolean> {
    return Promise.resolve(this.participants.get(key(thread))?.has(userId) ?? false);
  }
}

/** Edits, deletes and reactions are not part of the unit specs that wire this. */
export class PassThroughMessageChanges implements Public<MessageChanges> {
  edit(): Promise<ChangeOutcome> {
    return Promise.reject(notWired());
  }

  remove(): Promise<ChangeOutcome> {
    return Promise.reject(notWired());
  }

  react(): Promise<ChangeOutcome> {
    return Promise.reject(notWired());
  }
}

function notWired(): AppError {
  return new AppError('unavailable', 'message changes are covered by the integration specs, not these fakes');
}

function key(thread: ThreadKey): string {
  return `${thread.channelId}/${thread.rootId}`;
}

function setOf<K, V>(map: Map<K, Set<V>>, k: K): Set<V> {
  let set = map.get(k);
  if (!set) map.set(k, (set = new Set<V>()));
  return set;
}

function mapOf<K, K2, V>(map: Map<K, Map<K2, V>>, k: K): Map<K2, V> {
  let inner = map.get(k);
  if (!inner) map.set(k, (inner = new Map<K2, V>()));
  return inner;
}
