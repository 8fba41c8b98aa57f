// Recognises a file's real type from its first bytes (magic numbers), so an upload cannot claim
// to be an image while it is an executable. Only types listed here can be allowed for upload.

export const SNIFFABLE_TYPES = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/pdf',
  'application/zip',
  'text/plain',
] as const;
export type SniffableType = (typeof SNIFFABLE_TYPES)[number];

/** How many leading bytes `sniff` looks at (a ranged GET fetches no more). */
export const SNIFF_BYTES = 4096;

/** Images files can decode and make a thumbnail of. */
export const THUMBNAIL_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false;
  return signature.every((b, i) => bytes[offset + i] === b);
}

const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));

const SIGNATURES: readonly { type: SniffableType; matches: (b: Uint8Array) => boolean }[] = [
  { type: 'image/png', matches: (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  { type: 'image/jpeg', matches: (b) => startsWith(b, [0xff, 0xd8, 0xff]) },
  { type: 'image/gif', matches: (b) => startsWith(b, ascii('GIF87a')) || startsWith(b, ascii('GIF89a')) },
  { type: 'image/webp', matches: (b) => startsWith(b, ascii('RIFF')) && startsWith(b, ascii('WEBP'), 8) },
  { type: 'application/pdf', matches: (b) => startsWith(b, ascii('%PDF-')) },
  { type: 'application/zip', matches: (b) => startsWith(b, [0x50, 0x4b, 0x03, 0x04]) || startsWith(b, [0x50, 0x4b, 0x05, 0x06]) },
];

/**
 * Whether `head` (the first bytes of a file of `size` bytes) may be text: valid UTF-8 with no NUL
 * and no other control characters than tab, line feed, carriage return and form feed. A multi-byte
 * character cut by the end of `head` is allowed when `head` is shorter than the file.
 */
function looksLikeText(head: Uint8Array, size: number): boolean {
  const truncated = head.length < size;
  let i = 0;
  while (i < head.length) {
    const b = head[i];
    if (b < 0x80) {
      if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) return false;
      if (b === 0x7f) return false;
      i += 1;
      continue;
    }
    const length = b >= 0xf0 && b <= 0xf4 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 && b <= 0xdf ? 2 : 0;
    if (length === 0 || b > 0xf4) return false;
    for (let k = 1; k < length; k++) {
      if (i + k >= head.length) return truncated;
      const next = head[i + k];
      if ((next & 0xc0) !== 0x80) return false;
      // Overlong forms, UTF-16 surrogates and code points above U+10FFFF are not UTF-8.
      if (k === 1 && ((b === 0xe0 && next < 0xa0) || (b === 0xed && next >= 0xa0) || (b === 0xf0 && next < 0x90) || (b === 0xf4 && next >= 0x90))) return false;
    }
    i += length;
  }
  return true;
}

/** The type the bytes show, or undefined when they match none of SNIFFABLE_TYPES. */
export function sniff(head: Uint8Array, size: number): SniffableType | undefined {
  const binary = SIGNATURES.find((s) => s.matches(head));
  if (binary) return binary.type;
  return looksLikeText(head, size) ? 'text/plain' : undefined;
}

/** Whether the bytes are what was declared. */
export function matchesDeclaredType(declared: string, head: Uint8Array, size: number): boolean {
  return sniff(head, size) === declared.toLowerCase();
}
