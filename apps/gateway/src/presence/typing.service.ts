// `typing {channelId}`: relayed to the channel's other members on every gateway instance, never
// stored. A socket may type only in a channel it is in (its channel room: the gateway's view of
// membership, kept current by chat.channel.membership.v1); anything else is `not_found`, which is
// what messaging answers for channels one cannot see, and tells a non-member nothing. At most one
// relay per user and channel per TYPING_THROTTLE_MS across all instances (a Redis key with
// NX + PX); repeats inside the window are acknowledged ok and dropped — receivers still show the
// indicator, which clients expire about 5 s after the last `typing` they got.
import { Inject, Injectable } from '@nestjs/common';
import { type Ack, type TypingPayload } from '@chat/contracts';
import { REDIS } from '@chat/redis';
import { APP_CONFIG, AppError } from '@chat/service-kit';
import { type GatewayConfig } from '../config';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import { channelRoom } from '../socket/rooms';
import { SocketServer } from '../socket/socket.server';
import { TypingRelay } from './typing-relay';

/** The throttle's store: the gateway's Redis client (its `status`, and SET with PX and NX). */
export interface ThrottleStore {
  readonly status: string;
  set(key: string, value: string, px: 'PX', milliseconds: number, nx: 'NX'): Promise<'OK' | null>;
}

type TypingOutcome = 'relayed' | 'throttled' | 'refused' | 'failed';

@Injectable()
export class TypingService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: Pick<GatewayConfig, 'TYPING_THROTTLE_MS'>,
    @Inject(SocketServer) private readonly sockets: Pick<SocketServer, 'socketIn'>,
    @Inject(REDIS) private readonly store: ThrottleStore,
    @Inject(TypingRelay) private readonly relay: Pick<TypingRelay, 'available' | 'publish'>,
    @Inject(GatewayMetrics) private readonly metrics: Pick<GatewayMetrics, 'typing'>,
  ) {}

  async typing(socketId: string, userId: string, payload: TypingPayload): Promise<Ack> {
    const { channelId } = payload;
    if (!this.sockets.socketIn(socketId, channelRoom(channelId))) {
      this.observe('refused');
      return { ok: false, error: { code: 'not_found', message: `channel ${channelId} not found` } };
    }
    try {
      if (!(await this.admit(userId, channelId))) {
        this.observe('throttled');
        return { ok: true };
      }
      await this.relay.publish({ channelId, userId });
      this.observe('relayed');
      return { ok: true };
    } catch (error) {
      this.observe('failed');
      const message = error instanceof AppError ? error.message : 'typing could not be relayed; try again';
      return { ok: false, error: { code: 'unavailable', message } };
    }
  }

  /** True when this (user, channel) may be relayed now; throws when the store is unreachable. */
  private async admit(userId: string, channelId: string): Promise<boolean> {
    // Answered at once while Redis is away rather than after ioredis's retries.
    if (this.store.status !== 'ready' || !this.relay.available) throw new AppError('unavailable', 'typing is off for now (its store is unreachable); try again later');
    return (await this.store.set(`typing:${userId}:${channelId}`, '1', 'PX', this.config.TYPING_THROTTLE_MS, 'NX')) === 'OK';
  }

  private observe(outcome: TypingOutcome): void {
    this.metrics.typing.inc({ outcome });
  }
}
