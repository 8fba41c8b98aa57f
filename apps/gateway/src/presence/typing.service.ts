// `typing {channelId}`: relayed to the channel's other members on every gateway instance, never
// stored. A socket may type only in a channel it is in (its channel room: the gateway's view of
// membership, kept current by chat.channel.membership.v1); anything else is `not_found`, which is
// what messaging answers for channels one cannot see, and tells a non-member nothing. At most one
// relay per user and channel per TYPING_THROTTLE_MS across all instances (a Redis key with
// NX + PX); repeats inside the window are acknowledged ok and dropped — receivers still show the
// indicator, which clients expire about 5 s after the last `typing` they got.
import { type Ack, type TypingEvent, type TypingPayload } from '@chat/contracts';
import { AppError } from '@chat/service-kit';

export interface TypingDeps {
  isMember: (socketId: string, channelId: string) => boolean;
  /** True when this (user, channel) may be relayed now; throws when the store is unreachable. */
  admit: (userId: string, channelId: string) => Promise<boolean>;
  relay: (event: TypingEvent) => Promise<void>;
  observe?: (outcome: 'relayed' | 'throttled' | 'refused' | 'failed') => void;
}

export class TypingService {
  constructor(private readonly deps: TypingDeps) {}

  async typing(socketId: string, userId: string, payload: TypingPayload): Promise<Ack> {
    const { channelId } = payload;
    if (!this.deps.isMember(socketId, channelId)) {
      this.deps.observe?.('refused');
      return { ok: false, error: { code: 'not_found', message: `channel ${channelId} not found` } };
    }
    try {
      if (!(await this.deps.admit(userId, channelId))) {
        this.deps.observe?.('throttled');
        return { ok: true };
      }
      await this.deps.relay({ channelId, userId });
      this.deps.observe?.('relayed');
      return { ok: true };
    } catch (error) {
      this.deps.observe?.('failed');
      const message = error instanceof AppError ? error.message : 'typing could not be relayed; try again';
      return { ok: false, error: { code: 'unavailable', message } };
    }
  }
}
