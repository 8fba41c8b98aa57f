// Search helpers: the request path of GET /api/search and the split of a result's text into
// plain and matching parts (rendered as text nodes and <mark>, never as HTML). Matching folds
// case and accents like the server does, so "cafe" marks "Café".
import { SEARCH_LIMITS } from '@chat/contracts';

export interface SearchInput {
  q: string;
  channelId?: string;
  limit?: number;
}

/** The path of a search, or null when the query is empty or too long to be accepted. */
export function searchPath(input: SearchInput): string | null {
  const q = input.q.trim();
  if (!q || q.length > SEARCH_LIMITS.queryMax) return null;
  const params = new URLSearchParams({ q });
  if (input.channelId) params.set('channelId', input.channelId);
  if (input.limit !== undefined) params.set('limit', String(Math.min(SEARCH_LIMITS.pageMax, Math.max(1, Math.floor(input.limit)))));
  return `/api/search?${params.toString()}`;
}

/** The query's distinct words, folded, at most as many as the server considers. */
export function searchTerms(query: string): string[] {
  const words = fold(query)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
  return [...new Set(words)].slice(0, SEARCH_LIMITS.termsMax);
}

export interface TextPart {
  text: string;
  match: boolean;
}

/** `text` cut into runs, each marked whether it is an occurrence of one of the query's words. */
export function highlightParts(text: string, query: string): TextPart[] {
  const terms = searchTerms(query);
  if (text.length === 0) return [];
  if (terms.length === 0) return [{ text, match: false }];

  // The folded text, with the index in `text` each folded unit came from.
  let folded = '';
  const origin: number[] = [];
  let index = 0;
  for (const char of text) {
    const f = fold(char);
    folded += f;
    for (let i = 0; i < f.length; i++) origin.push(index);
    index += char.length;
  }

  const marked = new Array<boolean>(text.length).fill(false);
  for (const term of terms) {
    for (let at = folded.indexOf(term); at !== -1; at = folded.indexOf(term, at + 1)) {
      const start = origin[at] ?? 0;
      const lastUnit = origin[at + term.length - 1] ?? start;
      let end = lastUnit + codePointLength(text, lastUnit);
      // Combining marks after the match (decomposed accents) belong to it.
      while (end < text.length && fold(String.fromCodePoint(text.codePointAt(end) ?? 0)) === '') end += codePointLength(text, end);
      marked.fill(true, start, end);
    }
  }

  const parts: TextPart[] = [];
  for (let i = 0; i < text.length; i++) {
    const last = parts[parts.length - 1];
    if (last && last.match === marked[i]) last.text += text[i];
    else parts.push({ text: text[i] ?? '', match: marked[i] ?? false });
  }
  return parts;
}

function fold(value: string): string {
  return value.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

function codePointLength(text: string, at: number): number {
  const code = text.codePointAt(at) ?? 0;
  return code > 0xffff ? 2 : 1;
}
