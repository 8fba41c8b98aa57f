// A thread beside the channel: the root, its replies, and a composer that replies (threadId).
import type { Message } from '@chat/contracts';
import { Composer } from './composer';
import { MessageItem, PendingItem } from './message-item';
import { displayName, useChat, useStore } from './use-chat';

export function ThreadPanel() {
  const state = useChat();
  const store = useStore();
  const thread = state.thread;
  if (!thread) return null;
  const pending = (state.timelines[thread.channelId]?.pending ?? []).filter((p) => p.threadId === thread.rootId);
  const replies = mergeReplies(thread.replies, state.timelines[thread.channelId]?.messages ?? [], thread.rootId);
  return (
    <aside className="thread" aria-labelledby="thread-title">
      <header className="channel-header">
        <h2 id="thread-title">Thread</h2>
        <button type="button" aria-label="Close thread" onClick={() => store.closeThread()}>
          ×
        </button>
      </header>
      <div className="messages">
        {thread.root && <Entry message={thread.root} name={displayName(state, thread.root.senderId)} />}
        {thread.error && <p role="alert">{thread.error}</p>}
        {replies.map((m) => (
          <Entry key={m.id} message={m} name={displayName(state, m.senderId)} />
        ))}
        {pending.map((p) => (
          <PendingItem key={p.clientMsgId} pending={p} />
        ))}
      </div>
      {!thread.error && <Composer channelId={thread.channelId} threadId={thread.rootId} placeholder="Reply in thread" />}
    </aside>
  );
}

function Entry({ message, name }: { message: Message; name: string }) {
  return (
    <article className="run">
      <header>
        <strong className="sender">{name}</strong>
      </header>
      <MessageItem message={message} inThread />
    </article>
  );
}

function mergeReplies(fetched: Message[], channel: Message[], rootId: string): Message[] {
  const byId = new Map(fetched.map((m) => [m.id, m]));
  for (const m of channel) if (m.threadId === rootId) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}
