// Signed out: the sign-in form. Signed in: one ChatStore for the session (socket + state).
import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { Api } from './client/api';
import { ChatStore } from './client/chat-store';
import { Session } from './client/session';
import { AuthScreen } from './components/auth-screen';
import { ChatScreen } from './components/chat-screen';
import { StoreContext } from './components/use-chat';

export function App() {
  const session = useMemo(() => new Session(), []);
  const api = useMemo(() => new Api(session), [session]);
  const current = useSyncExternalStore(
    (listener) => session.onChange(listener),
    () => session.value,
  );
  const userId = current?.user.id ?? null;
  const [store, setStore] = useState<ChatStore | null>(null);

  useEffect(() => {
    if (!userId || !session.value) {
      setStore(null);
      return;
    }
    const created = new ChatStore(session, api, session.value.user);
    setStore(created);
    created.start().catch((error: unknown) => created.notify(error instanceof Error ? error.message : String(error)));
    return () => created.stop();
  }, [userId, session, api]);

  if (!current) return <AuthScreen api={api} onSignedIn={(s) => session.start(s)} />;
  if (!store) return <p role="status">Loading…</p>;
  return (
    <StoreContext.Provider value={store}>
      <ChatScreen />
    </StoreContext.Provider>
  );
}
