// Splits a migration file into statements. A `;` ends a statement only outside string literals
// ('...' with '' escapes, $$...$$), quoted identifiers ("...") and comments (-- and // to the end
// of the line, /* ... */), so a semicolon inside a default value or a comment never cuts a
// statement in two. Comments are dropped; blank statements are ignored.

export function splitCql(source: string): string[] {
  const statements: string[] = [];
  let current = '';
  let i = 0;
  const text = source.replace(/\r\n?/g, '\n');
  const push = (): void => {
    const statement = current.trim();
    if (statement.length > 0) statements.push(statement);
    current = '';
  };

  while (i < text.length) {
    const ch = text[i];
    const next = text[i + 1];
    if ((ch === '-' && next === '-') || (ch === '/' && next === '/')) {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end;
      continue;
    }
    if (ch === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end === -1) throw new CqlSyntaxError('unterminated /* comment', lineOf(text, i));
      current += ' ';
      i = end + 2;
      continue;
    }
    if (ch === "'" || ch === '"') {
      const end = closingQuote(text, i, ch);
      current += text.slice(i, end + 1);
      i = end + 1;
      continue;
    }
    if (ch === '$' && next === '$') {
      const end = text.indexOf('$$', i + 2);
      if (end === -1) throw new CqlSyntaxError('unterminated $$ string', lineOf(text, i));
      current += text.slice(i, end + 2);
      i = end + 2;
      continue;
    }
    if (ch === ';') {
      push();
      i++;
      continue;
    }
    current += ch;
    i++;
  }
  push();
  return statements;
}

export class CqlSyntaxError extends Error {
  constructor(problem: string, line: number) {
    super(`${problem} (line ${line})`);
    this.name = 'CqlSyntaxError';
  }
}

/** Index of the quote closing the literal opened at `start`; a doubled quote is an escaped one. */
function closingQuote(text: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < text.length) {
    if (text[i] === quote) {
      if (text[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i;
    }
    i++;
  }
  throw new CqlSyntaxError(`unterminated ${quote === "'" ? 'string' : 'quoted identifier'}`, lineOf(text, start));
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}
