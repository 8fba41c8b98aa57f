import { matchesDeclaredType, sniff, SNIFFABLE_TYPES } from './content-sniffer';

const bytes = (...parts: (number[] | string)[]): Uint8Array =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p, 'latin1')] : p)));

describe('sniff', () => {
  const samples: [string, Uint8Array][] = [
    ['image/png', bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])],
    ['image/jpeg', bytes([0xff, 0xd8, 0xff, 0xe0, 0, 16])],
    ['image/gif', bytes('GIF89a', [1, 0, 1, 0])],
    ['image/webp', bytes('RIFF', [0x24, 0, 0, 0], 'WEBPVP8 ')],
    ['application/pdf', bytes('%PDF-1.7\n%', [0xe2, 0xe3])],
    ['application/zip', bytes([0x50, 0x4b, 0x03, 0x04, 20, 0])],
    ['text/plain', new TextEncoder().encode('héllo, wörld\r\n\ttabbed 🎉\n')],
  ];

  it.each(samples)('recognises %s', (type, head) => {
    expect(sniff(head, head.length)).toBe(type);
  });

  it('covers every sniffable type', () => {
    expect(samples.map(([type]) => type).sort()).toEqual([...SNIFFABLE_TYPES].sort());
  });

  it('recognises nothing in binary data of other kinds', () => {
    expect(sniff(bytes([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), 8)).toBeUndefined(); // ELF
    expect(sniff(bytes('MZ', [0x90, 0, 3, 0]), 6)).toBeUndefined(); // PE
    expect(sniff(bytes('RIFF', [0, 0, 0, 0], 'WAVEfmt '), 16)).toBeUndefined();
    expect(sniff(bytes('text with a NUL', [0], 'inside'), 22)).toBeUndefined();
    expect(sniff(bytes([0xc3, 0x28]), 2)).toBeUndefined(); // invalid UTF-8
    expect(sniff(bytes([0xed, 0xa0, 0x80]), 3)).toBeUndefined(); // a UTF-16 surrogate encoded in UTF-8
  });

  it('accepts a multi-byte character cut by the end of the head only when the file goes on', () => {
    const cut = new TextEncoder().encode('abc€').subarray(0, 5);
    expect(sniff(cut, 100)).toBe('text/plain');
    expect(sniff(cut, 5)).toBeUndefined();
  });
});

describe('matchesDeclaredType', () => {
  it('compares the sniffed type with the declared one, ignoring case', () => {
    const png = bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(matchesDeclaredType('IMAGE/PNG', png, 8)).toBe(true);
    expect(matchesDeclaredType('image/jpeg', png, 8)).toBe(false);
    expect(matchesDeclaredType('text/plain', png, 8)).toBe(false);
  });
});
