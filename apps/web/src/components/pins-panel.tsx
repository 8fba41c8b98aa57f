// The open channel's pinned messages beside it, newest pin first, each with who pinned it and an
// Unpin. Pins have no push: the list is fetched when the panel opens and after the user's own change.
import { Markdown } from './markdown';
import { whenOf } from './search';
import { displayName, useChat, useStore } from './use-chat';

export function PinsPanel() {
  const state = useChat();
  const store = useStore();
  const channelId = state.activeChannelId;
  if (!state.pinsOpen || !channelId) return null;
  const pins = state.pins[channelId];
  return (
    <aside className="thread pins" aria-labelledby="pins-title">
      <header className="channel-header">
        <h2 id="pins-title">Pinned</h2>
        <button type="button" aria-label="Close pinned" onClick={() => store.closePins()}>
          ×
        </button>
      </header>
      <div className="messages">
        {pins === undefined ? (
          <p role="status">Loading…</p>
        ) : pins.length === 0 ? (
          <p className="empty">Nothing is pinned in this channel.</p>
        ) : (
          <ul className="hits" aria-label="Pinned messages">
            {pins.map((pin) => (
              <li key={pin.message.id} className="pin">
                <span className="hit-meta">
                  <strong className="sender">{displayName(state, pin.message.senderId)}</strong> · <time dateTime={pin.message.createdAt}>{whenOf(pin.message.createdAt)}</time>
                </span>
                <div className="text">{pin.message.deleted ? <em>This message was deleted.</em> : <Markdown text={pin.message.text} myName={state.me.username} />}</div>
                <small>
                  Pinned by {displayName(state, pin.pinnedBy)}{' '}
                  <button type="button" className="link" aria-label={`Unpin message from ${displayName(state, pin.message.senderId)}`} onClick={() => void store.togglePin(pin.message).catch(() => undefined)}>
                    Unpin
                  </button>
                </small>
              </li>
            ))}
          </ul>
        )}
      </div>
    </aside>
  );
}
