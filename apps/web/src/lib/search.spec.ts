import { SEARCH_LIMITS } from '@chat/contracts';
import { highlightParts, searchPath, searchTerms } from './search';

const marked = (text: string, query: string): string =>
  highlightParts(text, query)
    .map((p) => (p.match ? `[${p.text}]` : p.text))
    .join('');

describe('searchPath', () => {
  it('encodes the trimmed query and the optional channel filter', () => {
    expect(searchPath({ q: '  rock & roll?  ' })).toBe('/api/search?q=rock+%26+roll%3F');
    expect(searchPath({ q: 'x', channelId: 'c1' })).toBe('/api/search?q=x&channelId=c1');
  });

  it('keeps the limit inside the page bounds', () => {
    expect(searchPath({ q: 'x', limit: 500 })).toBe(`/api/search?q=x&limit=${SEARCH_LIMITS.pageMax}`);
    expect(searchPath({ q: 'x', limit: 0 })).toBe('/api/search?q=x&limit=1');
  });

  it('refuses an empty or overlong query rather than sending it', () => {
    expect(searchPath({ q: '   ' })).toBeNull();
    expect(searchPath({ q: 'a'.repeat(SEARCH_LIMITS.queryMax + 1) })).toBeNull();
  });
});

describe('searchTerms', () => {
  it('folds case and accents, drops punctuation and repeats', () => {
    expect(searchTerms('Café, CAFE! déjà-vu')).toEqual(['cafe', 'deja', 'vu']);
  });

  it('keeps at most as many words as the server uses', () => {
    expect(searchTerms('a b c d e f g h i j')).toHaveLength(SEARCH_LIMITS.termsMax);
  });
});

describe('highlightParts', () => {
  it('marks every occurrence of every word, ignoring case', () => {
    expect(marked('Deploy the deploy script', 'DEPLOY script')).toBe('[Deploy] the [deploy] [script]');
  });

  it('marks the original accented characters, not the folded ones', () => {
    expect(marked('Un café crème', 'cafe creme')).toBe('Un [café] [crème]');
    // Decomposed é (e + combining accent) is marked whole.
    expect(marked('cafe\u0301 ok', 'cafe')).toBe('[cafe\u0301] ok');
  });

  it('merges overlapping matches and keeps emoji intact', () => {
    expect(marked('banana 🍌 band', 'ban ana')).toBe('[banana] 🍌 [ban]d');
  });

  it('returns markup as plain text parts (rendered as text, never HTML)', () => {
    expect(highlightParts('<b>bold</b>', 'bold')).toEqual([
      { text: '<b>', match: false },
      { text: 'bold', match: true },
      { text: '</b>', match: false },
    ]);
  });

  it('gives the whole text unmarked when nothing matches, and nothing for empty text', () => {
    expect(highlightParts('hello', 'zzz')).toEqual([{ text: 'hello', match: false }]);
    expect(highlightParts('hello', '  ')).toEqual([{ text: 'hello', match: false }]);
    expect(highlightParts('', 'x')).toEqual([]);
  });
});
