// Markdown-lite: **bold**, *italic* / _italic_, `code`, links (bare http(s) URLs and [text](url))
// and @mentions, parsed into a small tree that components render as React elements. Nothing is
// ever turned into HTML, so message text cannot inject markup; only http(s) and mailto links
// survive.

export type InlineNode =
  | { kind: 'text'; text: string }
  | { kind: 'bold'; children: InlineNode[] }
  | { kind: 'italic'; children: InlineNode[] }
  | { kind: 'code'; text: string }
  | { kind: 'link'; href: string; children: InlineNode[] }
  | { kind: 'mention'; name: string }
  | { kind: 'break' };

const SAFE_URL = /^(https?:\/\/|mailto:)/i;
const BARE_URL = /^https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"]/i;
const MENTION = /^@([a-z0-9][a-z0-9._-]{0,31})/i;
const LINK = /^\[([^\]\n]+)\]\(([^)\s]+)\)/;

export function isSafeUrl(href: string): boolean {
  return SAFE_URL.test(href.trim());
}

/** Parses one message's text. */
export function parseMarkdownLite(text: string): InlineNode[] {
  return parseInline(text, 0);
}

function parseInline(text: string, depth: number): InlineNode[] {
  const nodes: InlineNode[] = [];
  let plain = '';
  const flush = (): void => {
    if (plain) nodes.push({ kind: 'text', text: plain });
    plain = '';
  };
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const ch = text[i];
    const prev = i === 0 ? '' : (text[i - 1]);
    const atWordStart = prev === '' || /[\s([{"'>]/.test(prev);

    if (ch === '\n') {
      flush();
      nodes.push({ kind: 'break' });
      i += 1;
      continue;
    }
    if (ch === '`') {
      const end = text.indexOf('`', i + 1);
      if (end > i + 1) {
        flush();
        nodes.push({ kind: 'code', text: text.slice(i + 1, end) });
        i = end + 1;
        continue;
      }
    }
    if (ch === '*' && text[i + 1] === '*' && depth < 4) {
      const end = text.indexOf('**', i + 2);
      if (end > i + 2) {
        flush();
        nodes.push({ kind: 'bold', children: parseInline(text.slice(i + 2, end), depth + 1) });
        i = end + 2;
        continue;
      }
    }
    if ((ch === '*' || ch === '_') && atWordStart && depth < 4 && text[i + 1] !== ch && text[i + 1] !== ' ') {
      const end = closingDelimiter(text, ch, i + 1);
      if (end > i + 1) {
        flush();
        nodes.push({ kind: 'italic', children: parseInline(text.slice(i + 1, end), depth + 1) });
        i = end + 1;
        continue;
      }
    }
    if (ch === '[') {
      const link = LINK.exec(rest);
      if (link && isSafeUrl(link[2])) {
        flush();
        nodes.push({ kind: 'link', href: link[2], children: parseInline(link[1], depth + 1) });
        i += link[0].length;
        continue;
      }
    }
    if ((ch === 'h' || ch === 'H') && atWordStart) {
      const url = BARE_URL.exec(rest);
      if (url) {
        flush();
        nodes.push({ kind: 'link', href: url[0], children: [{ kind: 'text', text: url[0] }] });
        i += url[0].length;
        continue;
      }
    }
    if (ch === '@' && atWordStart) {
      const mention = MENTION.exec(rest);
      if (mention) {
        flush();
        nodes.push({ kind: 'mention', name: mention[1] });
        i += mention[0].length;
        continue;
      }
    }
    plain += ch;
    i += 1;
  }
  flush();
  return nodes;
}

/** The closing `*`/`_` of an italic span: not preceded by a space, on the same line. */
function closingDelimiter(text: string, delimiter: string, from: number): number {
  for (let j = from; j < text.length; j++) {
    const c = text[j];
    if (c === '\n') return -1;
    if (c === delimiter && text[j - 1] !== ' ') {
      const after = text[j + 1];
      if (after === undefined || !/[a-z0-9]/i.test(after)) return j;
    }
  }
  return -1;
}

/** The @names a text mentions (lower-case), for highlighting and local mention counts. */
export function mentionedNames(text: string): string[] {
  const names: string[] = [];
  const walk = (nodes: InlineNode[]): void => {
    for (const node of nodes) {
      if (node.kind === 'mention') names.push(node.name.toLowerCase());
      else if (node.kind === 'bold' || node.kind === 'italic' || node.kind === 'link') walk(node.children);
    }
  };
  walk(parseMarkdownLite(text));
  return names;
}
