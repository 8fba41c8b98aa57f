// Channels and DMs of the workspace with unread badges (bold when unread, a count of mentions),
// plus creating a channel, browsing and joining public ones, and starting a DM.
import { type FormEvent, useEffect, useState } from 'react';
import type { ChannelSummary } from '@chat/contracts';
import { errorText } from '../client/api';
import { type ChatState } from '../client/chat-store';
import { PresenceDot } from './presence-dot';
import { displayName, useChat, useStore } from './use-chat';

export function Sidebar({ onOpen }: { onOpen: () => void }) {
  const state = useChat();
  const [panel, setPanel] = useState<'none' | 'create' | 'browse' | 'dm'>('none');
  if (!state.workspaceId) return <nav className="sidebar" aria-label="Channels" />;
  const joined = state.channels.filter((c) => c.member);
  const channels = joined.filter((c) => c.kind !== 'dm').sort((a, b) => a.name.localeCompare(b.name));
  const dms = joined.filter((c) => c.kind === 'dm');
  const toggle = (p: typeof panel) => setPanel(panel === p ? 'none' : p);

  return (
    <nav className="sidebar" aria-label="Channels">
      <h2 id="channels-heading">Channels</h2>
      <ul aria-labelledby="channels-heading">
        {channels.map((c) => (
          <ChannelEntry key={c.id} channel={c} label={`${c.private ? '🔒' : '#'} ${c.name}`} onOpen={onOpen} />
        ))}
      </ul>
      <div className="sidebar-actions">
        <button type="button" onClick={() => toggle('create')} aria-expanded={panel === 'create'}>
          + Channel
        </button>
        <button type="button" onClick={() => toggle('browse')} aria-expanded={panel === 'browse'}>
          Browse
        </button>
      </div>
      {panel === 'create' && <CreateChannel onDone={() => setPanel('none')} />}
      {panel === 'browse' && <BrowseChannels onDone={() => setPanel('none')} />}
      <h2 id="dms-heading">Direct messages</h2>
      <ul aria-labelledby="dms-heading">
        {dms.map((c) => (
          <ChannelEntry key={c.id} channel={c} label={dmLabel(state, c)} dmUserId={dmPartner(state, c)} onOpen={onOpen} />
        ))}
      </ul>
      <div className="sidebar-actions">
        <button type="button" onClick={() => toggle('dm')} aria-expanded={panel === 'dm'}>
          + Message
        </button>
      </div>
      {panel === 'dm' && <StartDm onDone={() => setPanel('none')} />}
    </nav>
  );
}

export function dmLabel(state: ChatState, channel: ChannelSummary): string {
  const others = (channel.memberIds ?? []).filter((id) => id !== state.me.id);
  if (others.length === 0) return `${state.me.displayName} (you)`;
  return others.map((id) => (state.users[id] ? displayName(state, id) : null)).every(Boolean)
    ? others.map((id) => displayName(state, id)).join(', ')
    : channel.name;
}

function dmPartner(state: ChatState, channel: ChannelSummary): string | undefined {
  const others = (channel.memberIds ?? []).filter((id) => id !== state.me.id);
  return others.length === 1 ? others[0] : undefined;
}

function ChannelEntry({ channel, label, dmUserId, onOpen }: { channel: ChannelSummary; label: string; dmUserId?: string | undefined; onOpen: () => void }) {
  const state = useChat();
  const store = useStore();
  const active = state.activeChannelId === channel.id;
  const unread = channel.unread > 0 && !active;
  const description = [unread ? `${channel.unread} unread` : null, channel.mentions > 0 && !active ? `${channel.mentions} mentions` : null].filter(Boolean).join(', ');
  return (
    <li>
      <button
        type="button"
        className={`channel ${active ? 'active' : ''} ${unread ? 'unread' : ''}`}
        aria-current={active ? 'page' : undefined}
        aria-label={description ? `${label}, ${description}` : label}
        data-channel={channel.name}
        onClick={() => {
          onOpen();
          void store.openChannel(channel.id).catch((e: unknown) => store.notify(errorText(e)));
        }}
      >
        {dmUserId && <PresenceDot userId={dmUserId} />}
        <span className="name">{label}</span>
        {unread && (
          <span className={`badge ${channel.mentions > 0 ? 'mentions' : ''}`} data-testid="unread-badge">
            {channel.mentions > 0 ? `@${channel.mentions}` : channel.unread}
          </span>
        )}
      </button>
    </li>
  );
}

function CreateChannel({ onDone }: { onDone: () => void }) {
  const store = useStore();
  const [name, setName] = useState('');
  const [isPrivate, setPrivate] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    try {
      await store.createChannel(name.trim().toLowerCase(), isPrivate);
      onDone();
    } catch (e) {
      setError(errorText(e));
    }
  }
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)}>
      <label>
        Channel name
        <input value={name} onChange={(e) => setName(e.target.value)} required pattern="[a-z0-9][a-z0-9._\-]*" title="lower-case letters, digits, . _ -" autoFocus />
      </label>
      <label className="check">
        <input type="checkbox" checked={isPrivate} onChange={(e) => setPrivate(e.target.checked)} /> Private
      </label>
      <button type="submit">Create channel</button>
      {error && (
        <span role="alert" className="error">
          {error}
        </span>
      )}
    </form>
  );
}

function BrowseChannels({ onDone }: { onDone: () => void }) {
  const state = useChat();
  const store = useStore();
  // Channels created since the list was loaded (nobody is told about a channel they are not in).
  useEffect(() => {
    store.loadChannels().catch((e: unknown) => store.notify(errorText(e)));
  }, [store]);
  const open = state.channels.filter((c) => !c.member && c.kind === 'public');
  return (
    <section className="inline-form" aria-label="Public channels">
      {open.length === 0 && <p>No other public channels.</p>}
      <ul>
        {open.map((c) => (
          <li key={c.id}>
            # {c.name}{' '}
            <button
              type="button"
              onClick={() => {
                onDone();
                void store.joinChannel(c.id).catch((e: unknown) => store.notify(errorText(e)));
              }}
            >
              Join #{c.name}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function StartDm({ onDone }: { onDone: () => void }) {
  const store = useStore();
  const [names, setNames] = useState('');
  const [error, setError] = useState<string | null>(null);
  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    try {
      await store.startDm(names.split(/[\s,]+/).map((n) => n.replace(/^@/, '')).filter(Boolean));
      onDone();
    } catch (e) {
      setError(errorText(e));
    }
  }
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)}>
      <label>
        Usernames (comma-separated)
        <input value={names} onChange={(e) => setNames(e.target.value)} required autoFocus />
      </label>
      <button type="submit">Start conversation</button>
      {error && (
        <span role="alert" className="error">
          {error}
        </span>
      )}
    </form>
  );
}
