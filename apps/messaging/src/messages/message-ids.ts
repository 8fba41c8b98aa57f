// Message ids that carry their seq: an RFC 9562 UUIDv8 whose first 48 bits are the seq, then the
// version (8), a 12-bit tag saying "seq inside", the variant and 62 random bits. A command that
// names a message by id (edit, delete, reaction, thread reply) names its channel too, so
// (channelId, seq) locates the row directly: no by-id index write on the send path, and no read
// of one to find a message. Ids of messages stored before this scheme (random UUIDv4) are found
// through the messages_by_id index, which still holds them.
import { randomBytes } from 'node:crypto';

const TAG = 'a5e';
const MAX_SEQ = 2 ** 48 - 1;

export function messageIdFor(seq: number): string {
  if (!Number.isInteger(seq) || seq < 0 || seq > MAX_SEQ) throw new Error(`seq ${seq} does not fit a message id`);
  const random = randomBytes(8);
  random[0] = (random[0] & 0x3f) | 0x80; // the RFC 9562 variant (10xx)
  const hex = seq.toString(16).padStart(12, '0') + '8' + TAG + random.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The seq a message id carries, or undefined for an id of another shape. */
export function seqOfMessageId(id: string): number | undefined {
  const hex = id.replace(/-/g, '').toLowerCase();
  if (hex.length !== 32 || hex[12] !== '8' || hex.slice(13, 16) !== TAG) return undefined;
  return parseInt(hex.slice(0, 12), 16);
}
