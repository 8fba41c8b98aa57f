// Relevance of a candidate message to a query: how often the query terms occur in it, damped by
// the message's length (a word in a short message says more than in a long one), so
// score = occurrences / sqrt(tokens). Ties, and equal scores, go to the newer message.
import { type Message } from '@chat/contracts';
import { tokens } from '../messages/text-analyzer';

export function score(message: Message, queryTerms: readonly string[]): number {
  const words = tokens(message.text);
  if (words.length === 0) return 0;
  const wanted = new Set(queryTerms);
  const occurrences = words.filter((w) => wanted.has(w)).length;
  return Math.round((occurrences / Math.sqrt(words.length)) * 10_000) / 10_000;
}

export function byRelevanceThenRecency(a: { message: Message; score: number }, b: { message: Message; score: number }): number {
  return b.score - a.score || b.message.createdAt.localeCompare(a.message.createdAt) || b.message.seq - a.message.seq;
}
