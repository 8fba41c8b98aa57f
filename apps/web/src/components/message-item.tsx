// One message: formatted text, edited/deleted marks, files with image previews, reactions and
// the actions a message offers (thread, react, pin, edit, delete), hidden once the server said the
// feature is unavailable. A pending send shows its state and a Retry on failure.
import { type FormEvent, useEffect, useState } from 'react';
import type { Message, MessageFile } from '@chat/contracts';
import { type PendingMessage } from '../lib/timeline';
import { Markdown } from './markdown';
import { useChat, useStore } from './use-chat';

const QUICK_REACTIONS = ['👍', '🎉', '❤️', '😄'];

export function MessageItem({ message, inThread = false }: { message: Message; inThread?: boolean }) {
  const state = useChat();
  const store = useStore();
  const [editing, setEditing] = useState(false);
  const [reacting, setReacting] = useState(false);
  const mine = message.senderId === state.me.id;
  const mentionsMe = !mine && store.mentionsMe(message);
  const pinned = state.pins[message.channelId]?.some((p) => p.message.id === message.id) ?? false;

  if (message.deleted) {
    return (
      <div className="message deleted" data-seq={message.seq}>
        <em>This message was deleted.</em>
      </div>
    );
  }

  return (
    <div className={`message ${mentionsMe ? 'mentioned' : ''}`} data-seq={message.seq} data-client-msg-id={message.clientMsgId}>
      {editing ? (
        <EditForm message={message} onDone={() => setEditing(false)} />
      ) : (
        <div className="text">
          <Markdown text={message.text} myName={state.me.username} />
          {message.editedAt && <span className="edited"> (edited)</span>}
          {pinned && <span className="pinned-mark"> (pinned)</span>}
        </div>
      )}
      {message.files && message.files.length > 0 && (
        <div className="files">
          {message.files.map((f) => (
            <FileAttachment key={f.id} file={f} />
          ))}
        </div>
      )}
      {message.reactions && message.reactions.length > 0 && (
        <div className="reactions">
          {message.reactions.map((r) => (
            <button
              key={r.emoji}
              type="button"
              className={r.userIds.includes(state.me.id) ? 'reaction mine' : 'reaction'}
              aria-pressed={r.userIds.includes(state.me.id)}
              aria-label={`${r.emoji} ${r.count}`}
              onClick={() => void store.toggleReaction(message, r.emoji).catch(() => undefined)}
            >
              {r.emoji} {r.count}
            </button>
          ))}
        </div>
      )}
      {!inThread && message.replyCount ? (
        <button type="button" className="link replies" onClick={() => void store.openThread(message)}>
          {message.replyCount} {message.replyCount === 1 ? 'reply' : 'replies'}
        </button>
      ) : null}
      <div className="actions" role="toolbar" aria-label="Message actions">
        {!inThread && !state.unavailable.threads && (
          <button type="button" onClick={() => void store.openThread(message)} aria-label="Reply in thread">
            💬
          </button>
        )}
        {!state.unavailable.reactions && (
          <button type="button" onClick={() => setReacting(!reacting)} aria-label="Add reaction" aria-expanded={reacting}>
            ☺
          </button>
        )}
        {!state.unavailable.pins && (
          <button type="button" onClick={() => void store.togglePin(message).catch(() => undefined)} aria-label={pinned ? 'Unpin message' : 'Pin message'} aria-pressed={pinned}>
            📌
          </button>
        )}
        {mine && !state.unavailable.edit && (
          <button type="button" onClick={() => setEditing(true)} aria-label="Edit message">
            ✎
          </button>
        )}
        {mine && !state.unavailable.delete && (
          <button
            type="button"
            onClick={() => {
              if (window.confirm('Delete this message?')) void store.remove(message).catch(() => undefined);
            }}
            aria-label="Delete message"
          >
            🗑
          </button>
        )}
      </div>
      {reacting && (
        <div className="reaction-picker" role="group" aria-label="Pick a reaction">
          {QUICK_REACTIONS.map((emoji) => (
            <button
              key={emoji}
              type="button"
              onClick={() => {
                setReacting(false);
                void store.toggleReaction(message, emoji).catch(() => undefined);
              }}
            >
              {emoji}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}

function EditForm({ message, onDone }: { message: Message; onDone: () => void }) {
  const store = useStore();
  const [text, setText] = useState(message.text);
  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    try {
      if (text.trim() && text !== message.text) await store.edit(message, text);
      onDone();
    } catch {
      onDone();
    }
  }
  return (
    <form className="edit" onSubmit={(e) => void submit(e)}>
      <label className="sr-only" htmlFor={`edit-${message.id}`}>
        Edit message
      </label>
      <textarea
        id={`edit-${message.id}`}
        value={text}
        onChange={(e) => setText(e.target.value)}
        autoFocus
        onKeyDown={(e) => {
          if (e.key === 'Escape') onDone();
        }}
      />
      <button type="submit">Save</button>
      <button type="button" onClick={onDone}>
        Cancel
      </button>
    </form>
  );
}

export function PendingItem({ pending }: { pending: PendingMessage }) {
  const state = useChat();
  const store = useStore();
  return (
    <div className={`message pending ${pending.state}`} data-pending={pending.state} data-client-msg-id={pending.clientMsgId}>
      <div className="text">
        <Markdown text={pending.text} myName={state.me.username} />
      </div>
      {pending.state === 'sending' ? (
        <span className="pending-state" role="status">
          Sending…
        </span>
      ) : (
        <span className="pending-state failed" role="alert">
          Not sent{pending.error ? ` (${pending.error})` : ''}.{' '}
          <button type="button" className="link" onClick={() => void store.retry(pending.channelId, pending.clientMsgId)}>
            Retry
          </button>
        </span>
      )}
    </div>
  );
}

/** An attachment: images as previews (fetched with the bearer token), others as a download link. */
function FileAttachment({ file }: { file: MessageFile }) {
  const store = useStore();
  const [url, setUrl] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  const image = file.contentType.startsWith('image/');
  useEffect(() => {
    if (!image) return;
    let revoked = false;
    let objectUrl: string | null = null;
    store.api.blobUrl(file.thumbnailUrl ?? `/api/files/${file.id}`).then(
      (u) => {
        objectUrl = u;
        if (!revoked) setUrl(u);
      },
      () => setFailed(true),
    );
    return () => {
      revoked = true;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [store, file.id, file.thumbnailUrl, image]);

  const download = async (): Promise<void> => {
    const u = await store.api.blobUrl(`/api/files/${file.id}`);
    const a = document.createElement('a');
    a.href = u;
    a.download = file.name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(u), 10_000);
  };

  return (
    <figure className="file">
      {image && url && !failed ? <img src={url} alt={file.name} loading="lazy" /> : null}
      <figcaption>
        <button type="button" className="link" onClick={() => void download().catch(() => setFailed(true))}>
          {file.name}
        </button>{' '}
        <small>{formatSize(file.size)}</small>
        {failed && <small className="error"> (not available)</small>}
      </figcaption>
    </figure>
  );
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
