import { useChat } from './use-chat';

/** A coloured dot for online / away / offline; nothing while presence is unavailable. */
export function PresenceDot({ userId }: { userId: string }) {
  const state = useChat();
  const status = state.presence[userId];
  if (state.unavailable.presence && !status) return null;
  const value = status ?? 'offline';
  return <span className={`dot ${value}`} data-presence={value} role="img" aria-label={value} title={value} />;
}
