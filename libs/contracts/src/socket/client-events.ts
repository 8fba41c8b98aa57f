import { type z } from 'zod';
import { type ClientToServerEvents } from './events';
import {
  AuthRefreshPayloadSchema,
  DeleteMessagePayloadSchema,
  EditMessagePayloadSchema,
  EmptyPayloadSchema,
  ReactionPayloadSchema,
  ReadPayloadSchema,
  SendMessagePayloadSchema,
  SyncPayloadSchema,
  TypingPayloadSchema,
} from './payloads';

/** Payload schema of every client-to-server event: the gateway's first check. */
export const CLIENT_EVENT_SCHEMAS = {
  'message:send': SendMessagePayloadSchema,
  'message:edit': EditMessagePayloadSchema,
  'message:delete': DeleteMessagePayloadSchema,
  'reaction:add': ReactionPayloadSchema,
  'reaction:remove': ReactionPayloadSchema,
  read: ReadPayloadSchema,
  sync: SyncPayloadSchema,
  typing: TypingPayloadSchema,
  'presence:away': EmptyPayloadSchema,
  'presence:active': EmptyPayloadSchema,
  'auth:refresh': AuthRefreshPayloadSchema,
} satisfies Record<keyof ClientToServerEvents, z.ZodType>;

export type ClientEventName = keyof ClientToServerEvents;
