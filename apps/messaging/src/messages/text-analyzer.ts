// The analyzer of search: Cassandra 5.0's SAI indexes exact values only, so the text is turned
// into terms here, the same way for stored messages and for queries: Unicode NFKD, combining marks
// dropped (é -> e), lower case, split on anything that is not a letter or a digit. Terms are
// 1-64 characters; a message row stores the set of its distinct terms (at most MAX_TERMS) in the
// store's write and each edit's (so it lives beside the row's writers; search/ queries it).
const MAX_TERM_LENGTH = 64;
const MAX_TERMS = 1000;

/** Every term of the text in order, repeats included (for scoring). */
export function tokens(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 0 && t.length <= MAX_TERM_LENGTH);
}

/** The distinct terms of the text (what the index stores). */
export function terms(text: string): string[] {
  return [...new Set(tokens(text))].slice(0, MAX_TERMS);
}
