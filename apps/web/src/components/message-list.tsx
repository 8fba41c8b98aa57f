// The scrolling history: grouped by day and sender, older pages loaded when scrolled to the top
// (keeping the view steady), pinned to the bottom unless the user scrolled up (then a "new
// messages" pill), and read markers sent as messages come into view.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { groupMessages, type Timeline } from '../lib/timeline';
import { MessageItem, PendingItem } from './message-item';
import { PresenceDot } from './presence-dot';
import { displayName, useChat, useStore } from './use-chat';

const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', month: 'long', day: 'numeric' });

export function MessageList({ channelId, timeline }: { channelId: string; timeline: Timeline }) {
  const state = useChat();
  const store = useStore();
  const scroller = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  const loadingOlder = useRef(false);
  const heightBeforeOlder = useRef<number | null>(null);
  const [unseen, setUnseen] = useState(0);
  const top = timeline.messages.filter((m) => !m.threadId);
  const pending = timeline.pending.filter((p) => !p.threadId);
  const last = top[top.length - 1];
  const lastKey = `${last?.seq ?? 0}:${pending.length}`;
  const firstSeq = top[0]?.seq ?? 0;

  // Older page prepended: keep the same messages under the user's eyes.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && heightBeforeOlder.current !== null) {
      el.scrollTop += el.scrollHeight - heightBeforeOlder.current;
      heightBeforeOlder.current = null;
    }
  }, [firstSeq]);

  // New messages at the bottom: follow them if pinned, else count them for the pill.
  const previousLast = useRef(last?.seq ?? 0);
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const newOnes = top.filter((m) => m.seq > previousLast.current && m.senderId !== state.me.id).length;
    previousLast.current = last?.seq ?? 0;
    if (pinned.current || (last?.senderId === state.me.id && newOnes === 0)) {
      el.scrollTop = el.scrollHeight;
      setUnseen(0);
    } else if (newOnes > 0) {
      setUnseen((n) => n + newOnes);
    }
  }, [lastKey]);

  const loadOlder = useCallback(() => {
    const el = scroller.current;
    if (!el || loadingOlder.current || !timeline.hasMoreBefore || !timeline.loaded) return;
    loadingOlder.current = true;
    heightBeforeOlder.current = el.scrollHeight;
    store
      .loadOlder(channelId)
      .catch(() => (heightBeforeOlder.current = null))
      .finally(() => (loadingOlder.current = false));
  }, [store, channelId, timeline.hasMoreBefore, timeline.loaded]);

  const onScroll = (): void => {
    const el = scroller.current;
    if (!el) return;
    pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
    if (pinned.current) setUnseen(0);
    if (el.scrollTop < 120) loadOlder();
  };

  // A short first page may not fill the view: keep loading until it scrolls or history ends.
  useEffect(() => {
    const el = scroller.current;
    if (el && timeline.loaded && el.scrollHeight <= el.clientHeight + 10) loadOlder();
  }, [timeline.loaded, firstSeq, loadOlder]);

  // Read markers: the highest seq that has been visible while the page is visible.
  useEffect(() => {
    const root = scroller.current;
    if (!root) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (document.visibilityState !== 'visible') return;
        const seen = entries.filter((e) => e.isIntersecting).map((e) => Number((e.target as HTMLElement).dataset['seq']));
        if (seen.length > 0) store.markRead(channelId, Math.max(...seen));
      },
      { root, threshold: 0.5 },
    );
    root.querySelectorAll('[data-seq]').forEach((el) => observer.observe(el));
    return () => observer.disconnect();
  }, [store, channelId, lastKey, firstSeq]);

  const jump = (): void => {
    const el = scroller.current;
    if (el) el.scrollTop = el.scrollHeight;
    pinned.current = true;
    setUnseen(0);
  };

  return (
    <div className="messages-wrap">
      <div className="messages" ref={scroller} onScroll={onScroll} role="log" aria-label="Messages" aria-live="polite" tabIndex={0}>
        {!timeline.loaded && <p role="status">Loading messages…</p>}
        {timeline.loaded && !timeline.hasMoreBefore && <p className="history-start">This is the beginning of the conversation.</p>}
        {timeline.hasMoreBefore && timeline.loaded && (
          <button type="button" className="link older" onClick={loadOlder}>
            Load older messages
          </button>
        )}
        {groupMessages(top).map((day) => (
          <section key={day.day} aria-label={dayFormat.format(new Date(`${day.day}T12:00:00`))}>
            <h3 className="day">
              <span>{dayFormat.format(new Date(`${day.day}T12:00:00`))}</span>
            </h3>
            {day.runs.map((run) => (
              <article key={(run.messages[0]).seq} className="run">
                <header>
                  <PresenceDot userId={run.senderId} />
                  <strong className="sender">{displayName(state, run.senderId)}</strong>
                  <time dateTime={(run.messages[0]).createdAt}>{timeOf((run.messages[0]).createdAt)}</time>
                </header>
                {run.messages.map((m) => (
                  <MessageItem key={m.seq} message={m} />
                ))}
              </article>
            ))}
          </section>
        ))}
        {pending.length > 0 && (
          <article className="run pending-run">
            <header>
              <strong className="sender">{state.me.displayName}</strong>
            </header>
            {pending.map((p) => (
              <PendingItem key={p.clientMsgId} pending={p} />
            ))}
          </article>
        )}
      </div>
      {unseen > 0 && (
        <button type="button" className="pill" onClick={jump}>
          {unseen} new {unseen === 1 ? 'message' : 'messages'} ↓
        </button>
      )}
    </div>
  );
}

export function timeOf(iso: string): string {
  return new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}
