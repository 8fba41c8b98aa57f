// The Socket.IO event maps: a wrong event name or payload is a compile error on both sides.
import { z } from 'zod';
import { type ErrorDetail, ErrorDetailSchema } from '../errors';
import { ChannelSchema } from '../domain/channel';
import { type Message, MessageSchema } from '../domain/message';
import { PresenceSchema } from '../domain/presence';
import { IdSchema, SeqSchema } from '../common';
import {
  type AuthRefreshPayload,
  type DeleteMessagePayload,
  type EditMessagePayload,
  type ReactionPayload,
  type ReadPayload,
  type SendMessagePayload,
  type SyncPayload,
  type TypingPayload,
} from './payloads';

/** Every acknowledgement: `{ ok: true, ...result }` or `{ ok: false, error }`. */
export type Ack<T extends object = Record<never, never>> = ({ ok: true } & T) | { ok: false; error: ErrorDetail };
export type AckCallback<T extends object = Record<never, never>> = (answer: Ack<T>) => void;

export interface SyncResult {
  messages: Message[];
  hasMore: boolean;
}

export interface ClientToServerEvents {
  'message:send': (payload: SendMessagePayload, ack: AckCallback<{ message: Message }>) => void;
  'message:edit': (payload: EditMessagePayload, ack: AckCallback<{ message: Message }>) => void;
  'message:delete': (payload: DeleteMessagePayload, ack: AckCallback) => void;
  'reaction:add': (payload: ReactionPayload, ack: AckCallback) => void;
  'reaction:remove': (payload: ReactionPayload, ack: AckCallback) => void;
  read: (payload: ReadPayload, ack: AckCallback) => void;
  sync: (payload: SyncPayload, ack: AckCallback<SyncResult>) => void;
  typing: (payload: TypingPayload, ack?: AckCallback) => void;
  'presence:away': (payload: Record<string, never>, ack: AckCallback) => void;
  'presence:active': (payload: Record<string, never>, ack: AckCallback) => void;
  'auth:refresh': (payload: AuthRefreshPayload, ack: AckCallback) => void;
}

export const TypingEventSchema = z.object({ channelId: IdSchema, userId: IdSchema });
export type TypingEvent = z.infer<typeof TypingEventSchema>;

export const ReadEventSchema = z.object({ channelId: IdSchema, seq: SeqSchema });
export type ReadEvent = z.infer<typeof ReadEventSchema>;

export const ChannelMembershipEventSchema = z.object({ channel: ChannelSchema });
export type ChannelMembershipEvent = z.infer<typeof ChannelMembershipEventSchema>;

export interface ServerToClientEvents {
  'message:new': (message: Message) => void;
  'message:updated': (message: Message) => void;
  typing: (event: TypingEvent) => void;
  presence: (event: z.infer<typeof PresenceSchema>) => void;
  read: (event: ReadEvent) => void;
  'channel:joined': (event: ChannelMembershipEvent) => void;
  'channel:left': (event: ChannelMembershipEvent) => void;
  /**
   * Sent just before the server disconnects the socket because its session ended (an addition to
   * PROTOCOL v1): `unauthorized` when the access token expired without an `auth:refresh`, or the
   * session was signed out (logout, sign out everywhere, password change). The client refreshes
   * its token and reconnects, or signs in again.
   */
  'session:closed': (error: ErrorDetail) => void;
}

/** Schemas of server-to-client payloads, for the AsyncAPI document and for client-side checks. */
export const SERVER_EVENT_SCHEMAS = {
  'message:new': MessageSchema,
  'message:updated': MessageSchema,
  typing: TypingEventSchema,
  presence: PresenceSchema,
  read: ReadEventSchema,
  'channel:joined': ChannelMembershipEventSchema,
  'channel:left': ChannelMembershipEventSchema,
  'session:closed': ErrorDetailSchema,
} satisfies Record<keyof ServerToClientEvents, z.ZodType>;
