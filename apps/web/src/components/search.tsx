// Search: the box in the top bar (optionally limited to the open channel) and the results beside
// the channel — channel, sender, time and the text with the matching words marked — each opening
// its channel. The box is hidden once the server said search is not served.
import { type FormEvent, useState } from 'react';
import type { SearchHit } from '@chat/contracts';
import { errorText } from '../client/api';
import { type ChatState } from '../client/chat-store';
import { highlightParts } from '../lib/search';
import { dmLabel } from './sidebar';
import { displayName, useChat, useStore } from './use-chat';

export function SearchBox() {
  const state = useChat();
  const store = useStore();
  const [query, setQuery] = useState('');
  const [here, setHere] = useState(false);
  if (state.unavailable.search || state.workspaceId === null) return null;
  const channelId = here ? state.activeChannelId : null;
  function submit(event: FormEvent): void {
    event.preventDefault();
    void store.search(query, channelId);
  }
  return (
    <form className="search-box" role="search" onSubmit={submit}>
      <label className="sr-only" htmlFor="search-input">
        Search messages
      </label>
      <input id="search-input" type="search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="Search messages" maxLength={200} />
      {state.activeChannelId && (
        <label className="check">
          <input type="checkbox" checked={here} onChange={(e) => setHere(e.target.checked)} /> in this channel
        </label>
      )}
      <button type="submit">Search</button>
    </form>
  );
}

/** `onOpen`: after a result's channel opened (at phone width the conversation takes the screen). */
export function SearchPanel({ onOpen }: { onOpen?: () => void }) {
  const state = useChat();
  const store = useStore();
  const search = state.search;
  if (!search) return null;
  return (
    <aside className="thread search-results" aria-labelledby="search-title">
      <header className="channel-header">
        <h2 id="search-title">Results for “{search.query}”</h2>
        <button type="button" aria-label="Close search" onClick={() => store.closeSearch()}>
          ×
        </button>
      </header>
      <div className="messages">
        {search.results === null ? (
          <p role="status">Searching…</p>
        ) : search.error ? (
          <p role="alert" className="error">
            {search.error}
          </p>
        ) : search.results.length === 0 ? (
          <p className="empty">No messages match.</p>
        ) : (
          <ul className="hits" aria-label="Search results">
            {search.results.map((hit) => (
              <li key={hit.message.id}>
                <button type="button" className="hit" onClick={() => void store.openResult(hit).then(onOpen, (e: unknown) => store.notify(errorText(e)))}>
                  <span className="hit-meta">
                    <strong className="channel-name">{channelName(state, hit)}</strong> · <span className="sender">{displayName(state, hit.message.senderId)}</span> ·{' '}
                    <time dateTime={hit.message.createdAt}>{whenOf(hit.message.createdAt)}</time>
                  </span>
                  <span className="hit-text">
                    {highlightParts(hit.message.text, search.query).map((part, i) => (part.match ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>))}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </aside>
  );
}

function channelName(state: ChatState, hit: SearchHit): string {
  const channel = state.channels.find((c) => c.id === hit.message.channelId);
  if (!channel) return 'another workspace';
  return channel.kind === 'dm' ? dmLabel(state, channel) : `${channel.private ? '🔒' : '#'}${channel.name}`;
}

export function whenOf(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}
