// Reactions are stored on the message row as a set<text> with one cell per (emoji, user):
// '<emoji> <userId>'. Adding or removing a cell is idempotent and commutative, so a user reacting
// twice, or two users reacting at once, needs no read-modify-write and no lock.
import { type Reaction } from '@chat/contracts';

const SEPARATOR = ' ';

export function reactionCell(emoji: string, userId: string): string {
  return `${emoji}${SEPARATOR}${userId}`;
}

/** The cells grouped by emoji, in order of first appearance, user ids sorted. */
export function decodeReactions(cells: readonly string[]): Reaction[] {
  const byEmoji = new Map<string, string[]>();
  for (const cell of cells) {
    const at = cell.lastIndexOf(SEPARATOR);
    if (at <= 0) continue;
    const emoji = cell.slice(0, at);
    const users = byEmoji.get(emoji) ?? [];
    users.push(cell.slice(at + 1));
    byEmoji.set(emoji, users);
  }
  return [...byEmoji].map(([emoji, userIds]) => ({ emoji, count: userIds.length, userIds: userIds.sort() }));
}
