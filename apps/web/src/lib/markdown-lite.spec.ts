import { isSafeUrl, mentionedNames, parseMarkdownLite } from './markdown-lite';

describe('parseMarkdownLite', () => {
  it('keeps plain text as one text node', () => {
    expect(parseMarkdownLite('hello world')).toEqual([{ kind: 'text', text: 'hello world' }]);
  });

  it('parses bold, italic and code', () => {
    expect(parseMarkdownLite('a **b** *c* _d_ `e*f*`')).toEqual([
      { kind: 'text', text: 'a ' },
      { kind: 'bold', children: [{ kind: 'text', text: 'b' }] },
      { kind: 'text', text: ' ' },
      { kind: 'italic', children: [{ kind: 'text', text: 'c' }] },
      { kind: 'text', text: ' ' },
      { kind: 'italic', children: [{ kind: 'text', text: 'd' }] },
      { kind: 'text', text: ' ' },
      { kind: 'code', text: 'e*f*' },
    ]);
  });

  it('nests italic inside bold', () => {
    expect(parseMarkdownLite('**very _much_**')).toEqual([
      { kind: 'bold', children: [{ kind: 'text', text: 'very ' }, { kind: 'italic', children: [{ kind: 'text', text: 'much' }] }] },
    ]);
  });

  it('leaves unmatched delimiters and snake_case words alone', () => {
    expect(parseMarkdownLite('2 * 3 and snake_case_name and **open')).toEqual([
      { kind: 'text', text: '2 * 3 and snake_case_name and **open' },
    ]);
  });

  it('links bare URLs without trailing punctuation, and [text](url)', () => {
    expect(parseMarkdownLite('see https://example.com/a?b=1. or [docs](https://x.org/d)')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', href: 'https://example.com/a?b=1', children: [{ kind: 'text', text: 'https://example.com/a?b=1' }] },
      { kind: 'text', text: '. or ' },
      { kind: 'link', href: 'https://x.org/d', children: [{ kind: 'text', text: 'docs' }] },
    ]);
  });

  it('never links javascript: or data: URLs', () => {
    const nodes = parseMarkdownLite('[click](javascript:alert(1)) [x](data:text/html,hi)');
    expect(nodes.some((n) => n.kind === 'link')).toBe(false);
    expect(isSafeUrl('javascript:alert(1)')).toBe(false);
    expect(isSafeUrl('mailto:a@b.c')).toBe(true);
  });

  it('keeps markup-looking text as text (rendered escaped)', () => {
    expect(parseMarkdownLite('<img src=x onerror=alert(1)>')).toEqual([{ kind: 'text', text: '<img src=x onerror=alert(1)>' }]);
  });

  it('finds @mentions at word starts only, and line breaks', () => {
    expect(parseMarkdownLite('hi @ada, mail bob@example.com\nbye')).toEqual([
      { kind: 'text', text: 'hi ' },
      { kind: 'mention', name: 'ada' },
      { kind: 'text', text: ', mail bob@example.com' },
      { kind: 'break' },
      { kind: 'text', text: 'bye' },
    ]);
    expect(mentionedNames('**@Ada** and @grace')).toEqual(['ada', 'grace']);
  });
});
