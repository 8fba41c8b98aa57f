// The signed-in layout: top bar (workspace switcher, invite, connection state, search, sign out),
// sidebar, the open channel and, when open, a thread, search results or the pinned messages. At phone width the sidebar and the channel
// take turns (the "Channels" button brings the sidebar back).
import { type FormEvent, useState } from 'react';
import { errorText } from '../client/api';
import { ChannelView } from './channel-view';
import { PinsPanel } from './pins-panel';
import { SearchBox, SearchPanel } from './search';
import { Sidebar } from './sidebar';
import { ThreadPanel } from './thread-panel';
import { useChat, useStore } from './use-chat';

export function ChatScreen() {
  const state = useChat();
  const store = useStore();
  const [showSidebar, setShowSidebar] = useState(true);

  return (
    <div className={`chat ${showSidebar ? 'sidebar-open' : 'channel-open'}`}>
      <header className="topbar">
        <button type="button" className="only-narrow" onClick={() => setShowSidebar(true)} aria-label="Show channels">
          ☰ Channels
        </button>
        <WorkspaceSwitcher />
        <ConnectionBadge />
        <SearchBox />
        <span className="me">
          {state.me.displayName} <small>@{state.me.username}</small>
        </span>
        <button type="button" onClick={() => void store.signOut()}>
          Sign out
        </button>
      </header>
      {state.notice && (
        <div className="notice" role="alert">
          {state.notice}
          <button type="button" aria-label="Dismiss" onClick={() => store.notify(null)}>
            ×
          </button>
        </div>
      )}
      <div className="body">
        <Sidebar onOpen={() => setShowSidebar(false)} />
        <main className="main" aria-label="Conversation">
          {state.workspaceId === null ? (
            <NoWorkspace />
          ) : state.activeChannelId ? (
            <ChannelView key={state.activeChannelId} channelId={state.activeChannelId} />
          ) : (
            <p className="empty">Pick a channel or start a conversation.</p>
          )}
        </main>
        {state.thread ? <ThreadPanel /> : state.search ? <SearchPanel onOpen={() => setShowSidebar(false)} /> : state.pinsOpen ? <PinsPanel /> : null}
      </div>
    </div>
  );
}

function ConnectionBadge() {
  const { connection } = useChat();
  if (connection === 'online') return <span className="conn online" role="status" aria-label="Connected" />;
  return (
    <span className="conn offline" role="status">
      {connection === 'reconnecting' ? 'Reconnecting…' : 'Connecting…'}
    </span>
  );
}

function WorkspaceSwitcher() {
  const state = useChat();
  const store = useStore();
  const [creating, setCreating] = useState(false);
  const [inviting, setInviting] = useState(false);
  const current = state.workspaces.find((w) => w.id === state.workspaceId);
  return (
    <div className="workspaces">
      <label className="sr-only" htmlFor="workspace-select">
        Workspace
      </label>
      {state.workspaces.length > 0 && (
        <select id="workspace-select" value={state.workspaceId ?? ''} onChange={(e) => void store.selectWorkspace(e.target.value)}>
          {state.workspaces.map((w) => (
            <option key={w.id} value={w.id}>
              {w.name}
            </option>
          ))}
        </select>
      )}
      <button type="button" onClick={() => setCreating(!creating)} aria-expanded={creating}>
        New workspace
      </button>
      {current && (
        <button type="button" onClick={() => setInviting(!inviting)} aria-expanded={inviting}>
          Invite
        </button>
      )}
      {current && (
        <button
          type="button"
          onClick={() => {
            if (window.confirm(`Leave ${current.name}? You will need a new invitation to come back.`)) {
              store.leaveWorkspace().catch((error: unknown) => store.notify(errorText(error)));
            }
          }}
        >
          Leave workspace
        </button>
      )}
      {creating && <InlineForm label="Workspace name" submit="Create workspace" onSubmit={(name) => store.createWorkspace(name)} onDone={() => setCreating(false)} />}
      {inviting && <InlineForm label="Username to invite" submit="Send invite" onSubmit={(name) => store.invite(name)} onDone={() => setInviting(false)} done="Invited." />}
      <Invitations />
    </div>
  );
}

/** Pending invitations: nobody joins a workspace without accepting. */
function Invitations() {
  const { invitations } = useChat();
  const store = useStore();
  const answer = (action: Promise<void>): void => {
    action.catch((error: unknown) => store.notify(errorText(error)));
  };
  return (
    <span className="invitations">
      <button type="button" className="link" onClick={() => answer(store.loadInvitations())}>
        Check invitations
      </button>
      {invitations.length > 0 && (
        <ul aria-label="Invitations">
          {invitations.map((invitation) => (
            <li key={invitation.workspaceId}>
              Invited to <strong>{invitation.workspaceName}</strong>{' '}
              <button type="button" onClick={() => answer(store.acceptInvitation(invitation.workspaceId))} aria-label={`Accept invitation to ${invitation.workspaceName}`}>
                Accept
              </button>{' '}
              <button type="button" onClick={() => answer(store.declineInvitation(invitation.workspaceId))} aria-label={`Decline invitation to ${invitation.workspaceName}`}>
                Decline
              </button>
            </li>
          ))}
        </ul>
      )}
    </span>
  );
}

function NoWorkspace() {
  const store = useStore();
  return (
    <section className="empty">
      <h2>Welcome!</h2>
      <p>Create a workspace to start chatting, or ask someone to invite you to theirs.</p>
      <InlineForm label="Workspace name" submit="Create workspace" onSubmit={(name) => store.createWorkspace(name)} />
      <p>Invitations to other workspaces are listed at the top; accept one to join.</p>
    </section>
  );
}

/** A one-field form with its own error line. */
export function InlineForm(props: { label: string; submit: string; onSubmit: (value: string) => Promise<void>; onDone?: () => void; done?: string }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    setError(null);
    try {
      await props.onSubmit(value.trim());
      setValue('');
      setMessage(props.done ?? null);
      if (!props.done) props.onDone?.();
    } catch (e) {
      setError(errorText(e));
    }
  }
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)}>
      <label>
        {props.label}
        <input value={value} onChange={(e) => setValue(e.target.value)} required autoFocus />
      </label>
      <button type="submit">{props.submit}</button>
      {error && (
        <span role="alert" className="error">
          {error}
        </span>
      )}
      {message && <span role="status">{message}</span>}
    </form>
  );
}
