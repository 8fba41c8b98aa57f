// Running the after-store steps on a flush of stored messages (the store calls this once its
// acknowledgements are on their way): every step side by side; a step that fails makes the whole
// flush retry (every step is idempotent, so the steps that succeeded just rewrite the same cells).
import { type Message } from '@chat/contracts';
import { type SendSteps } from './send-steps';

/**
 * Runs every after-store step on `messages` side by side; throws the first failure once all have
 * settled (so no step is still writing when the flush is retried).
 */
export async function applySteps(steps: SendSteps, messages: readonly Message[], onFailure: (step: string, error: unknown) => void): Promise<void> {
  if (messages.length === 0) return;
  const results = await Promise.allSettled(steps.after.map((step) => step.apply(messages)));
  const failures = results.flatMap((result, i) => (result.status === 'rejected' ? [{ step: steps.after[i]?.name ?? 'unknown', error: result.reason as unknown }] : []));
  for (const { step, error } of failures) onFailure(step, error);
  if (failures[0]) throw failures[0].error;
}

/**
 * The messages of a flush once each: a re-announced message (same channel and seq) keeps its last
 * copy. Order is kept (each channel's in seq order).
 */
export function distinct(messages: readonly Message[]): Message[] {
  const last = new Map<string, Message>();
  for (const message of messages) last.set(`${message.channelId}/${message.seq}`, message);
  return messages.filter((m) => last.get(`${m.channelId}/${m.seq}`) === m);
}
