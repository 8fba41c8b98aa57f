import { randomUUID } from 'node:crypto';
import { IdSchema } from '@chat/contracts';
import { messageIdFor, seqOfMessageId } from './message-ids';

describe('message ids', () => {
  it('carry their seq and are valid UUIDs of the contract', () => {
    for (const seq of [1, 999, 1000, 123_456_789, 2 ** 48 - 1]) {
      const id = messageIdFor(seq);
      expect(IdSchema.safeParse(id).success).toBe(true);
      // version 8, the seq tag, the RFC 9562 variant (10xx), 62 random bits
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8a5e-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(seqOfMessageId(id)).toBe(seq);
    }
  });

  it('are unique for the same seq (a seq is reused only by a deposed owner, whose id must differ)', () => {
    expect(messageIdFor(7)).not.toBe(messageIdFor(7));
  });

  it('say nothing for ids of another shape', () => {
    expect(seqOfMessageId(randomUUID())).toBeUndefined();
    expect(seqOfMessageId('not-an-id')).toBeUndefined();
  });
});
