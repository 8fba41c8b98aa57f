import { createContext, useContext, useSyncExternalStore } from 'react';
import { type ChatState, type ChatStore } from '../client/chat-store';

export const StoreContext = createContext<ChatStore | null>(null);

export function useStore(): ChatStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('no ChatStore');
  return store;
}

/** The chat state, re-rendering on every change. */
export function useChat(): ChatState {
  const store = useStore();
  return useSyncExternalStore(store.subscribe, store.getState);
}

export function displayName(state: ChatState, userId: string): string {
  return state.users[userId]?.displayName ?? `user ${userId.slice(0, 8)}`;
}
