// A fix of kafkajs 2.2.4 (unmaintained; the last release), applied once when the bus library is
// loaded. Its RequestQueue re-arms a timer after every check of pending requests even when none
// are pending, with a negative delay (Node runs it after 1 ms): every connection of every client
// spins a 1 ms timer for as long as it is open, idle or not (tulios/kafkajs#1556, #1704; the fix
// of the open pull request #1667). Here a check is scheduled only while requests are pending:
// when the queue is throttled, at the end of the throttle; otherwise after kafkajs's 10 ms
// interval (a request completing checks the queue anyway).
/* eslint-disable @typescript-eslint/no-require-imports -- kafkajs's RequestQueue is internal: no types, no export */

interface RequestQueueInternals {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** kafkajs's own interval for re-checking a queue with pending requests (CHECK_PENDING_REQUESTS_INTERVAL). */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

export const RequestQueue = require('kafkajs/src/network/requestQueue') as { prototype: RequestQueueInternals };

export function scheduleCheckPendingRequests(this: RequestQueueInternals): void {
  if (this.throttleCheckTimeoutId !== null || this.pending.length === 0) return;
  const untilUnthrottled = this.throttledUntil - Date.now();
  this.throttleCheckTimeoutId = setTimeout(
    () => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    },
    untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_REQUESTS_INTERVAL_MS,
  );
}

RequestQueue.prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
