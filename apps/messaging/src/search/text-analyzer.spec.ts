import { type Message } from '@chat/contracts';
import { byRelevanceThenRecency, score } from './search-ranking';
import { terms, tokens } from '../messages/text-analyzer';

describe('text analyzer', () => {
  it('lower-cases, folds accents and splits on anything but letters and digits', () => {
    expect(tokens('Crème Brûlée, v2.0 — ÉCOLE!')).toEqual(['creme', 'brulee', 'v2', '0', 'ecole']);
  });

  it('keeps distinct terms for the index', () => {
    expect(terms('the cat and THE dog')).toEqual(['the', 'cat', 'and', 'dog']);
  });

  it('handles non-Latin scripts', () => {
    expect(tokens('Привет мир 你好')).toEqual(['привет', 'мир', '你好']);
  });
});

describe('search ranking', () => {
  const message = (text: string, createdAt: string, seq = 1): Message => ({
    id: '00000000-0000-4000-8000-000000000001',
    channelId: '00000000-0000-4000-8000-000000000002',
    senderId: '00000000-0000-4000-8000-000000000003',
    clientMsgId: '00000000-0000-4000-8000-000000000004',
    seq,
    text,
    createdAt,
  });

  it('scores more occurrences in fewer words higher', () => {
    expect(score(message('kiwi kiwi', 't'), ['kiwi'])).toBeGreaterThan(score(message('kiwi here', 't'), ['kiwi']));
    expect(score(message('kiwi here', 't'), ['kiwi'])).toBeGreaterThan(score(message('kiwi in a long message here', 't'), ['kiwi']));
    expect(score(message('', 't'), ['kiwi'])).toBe(0);
  });

  it('breaks ties by recency', () => {
    const older = { message: message('a', '2025-01-01T00:00:00.000Z'), score: 1 };
    const newer = { message: message('a', '2025-01-02T00:00:00.000Z'), score: 1 };
    const better = { message: message('a', '2024-01-01T00:00:00.000Z'), score: 2 };
    expect([older, newer, better].sort(byRelevanceThenRecency)).toEqual([better, newer, older]);
  });
});
