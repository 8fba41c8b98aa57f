// One open channel: header, message list, typing indicator, composer.
import { EMPTY_TIMELINE } from '../lib/timeline';
import { Composer } from './composer';
import { MessageList } from './message-list';
import { dmLabel } from './sidebar';
import { displayName, useChat, useStore } from './use-chat';

export function ChannelView({ channelId }: { channelId: string }) {
  const state = useChat();
  const store = useStore();
  const channel = state.channels.find((c) => c.id === channelId);
  const timeline = state.timelines[channelId] ?? EMPTY_TIMELINE;
  const title = channel ? (channel.kind === 'dm' ? dmLabel(state, channel) : `${channel.private ? '🔒' : '#'} ${channel.name}`) : '';
  return (
    <section className="channel-view" aria-labelledby="channel-title">
      <header className="channel-header">
        <h2 id="channel-title">{title}</h2>
        {!state.unavailable.pins && (
          <button type="button" className="link" aria-expanded={state.pinsOpen} onClick={() => (state.pinsOpen ? store.closePins() : store.openPins())}>
            📌 Pinned{state.pins[channelId]?.length ? ` (${state.pins[channelId].length})` : ''}
          </button>
        )}
        {channel && channel.kind !== 'dm' && (
          <button type="button" className="link" onClick={() => void store.leaveChannel(channelId)}>
            Leave
          </button>
        )}
      </header>
      <MessageList channelId={channelId} timeline={timeline} />
      <TypingIndicator channelId={channelId} />
      <Composer channelId={channelId} placeholder={`Message ${title}`} />
    </section>
  );
}

export function TypingIndicator({ channelId }: { channelId: string }) {
  const state = useChat();
  const now = Date.now();
  const names = Object.entries(state.typing[channelId] ?? {})
    .filter(([userId, until]) => until > now && userId !== state.me.id)
    .map(([userId]) => displayName(state, userId));
  const text =
    names.length === 0 ? '' : names.length === 1 ? `${names[0]} is typing…` : names.length === 2 ? `${names[0]} and ${names[1]} are typing…` : 'Several people are typing…';
  return (
    <div className="typing" aria-live="polite">
      {text}
    </div>
  );
}
