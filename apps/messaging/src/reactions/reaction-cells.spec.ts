import { isReactionEmoji } from '@chat/contracts';
import { decodeReactions, reactionCell } from './reaction-cells';

describe('reaction cells', () => {
  it('groups cells by emoji with counts and sorted users', () => {
    const cells = [reactionCell('👍', 'u2'), reactionCell('👍', 'u1'), reactionCell(':tada:', 'u1')];
    expect(decodeReactions(cells)).toEqual([
      { emoji: '👍', count: 2, userIds: ['u1', 'u2'] },
      { emoji: ':tada:', count: 1, userIds: ['u1'] },
    ]);
  });
});

describe('isReactionEmoji', () => {
  it.each(['👍', '👍🏽', '❤️', '👨‍👩‍👧', '🇫🇷', '1️⃣', ':tada:', ':+1:'])('accepts %s', (emoji) => {
    expect(isReactionEmoji(emoji)).toBe(true);
  });

  it.each(['a', 'hello', '👍👍', ':not_a_code:', 'tada', ':tada', '<script>', ' 👍'])('refuses %s', (emoji) => {
    expect(isReactionEmoji(emoji)).toBe(false);
  });
});
