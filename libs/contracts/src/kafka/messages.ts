import { z } from 'zod';
import { IdSchema, TimestampSchema } from '../common';
import { ErrorDetailSchema } from '../errors';
import { MessageSchema } from '../domain/message';
import {
  DeleteMessagePayloadSchema,
  EditMessagePayloadSchema,
  ReactionPayloadSchema,
  ReadPayloadSchema,
  SendMessagePayloadSchema,
} from '../socket/payloads';
import { defineTopic } from './topic';

/** Where the result of a command goes: the gateway instance and its pending request. */
export const ReplyToSchema = z.object({ gatewayId: z.string().min(1).max(128), requestId: z.string().min(1).max(128) });
export type ReplyTo = z.infer<typeof ReplyToSchema>;

const commandBase = {
  commandId: IdSchema,
  userId: IdSchema,
  issuedAt: TimestampSchema,
  replyTo: ReplyToSchema.optional(),
};

/**
 * Every command on a channel, in one topic keyed by channel id, so that a send, an edit and a
 * delete of the same channel are applied in the order they were issued.
 */
export const ChannelCommandSchema = z.discriminatedUnion('type', [
  z.object({ ...commandBase, type: z.literal('message.send'), payload: SendMessagePayloadSchema }),
  z.object({ ...commandBase, type: z.literal('message.edit'), payload: EditMessagePayloadSchema }),
  z.object({ ...commandBase, type: z.literal('message.delete'), payload: DeleteMessagePayloadSchema }),
  z.object({ ...commandBase, type: z.literal('reaction.add'), payload: ReactionPayloadSchema }),
  z.object({ ...commandBase, type: z.literal('reaction.remove'), payload: ReactionPayloadSchema }),
  z.object({ ...commandBase, type: z.literal('read'), payload: ReadPayloadSchema }),
]);
export type ChannelCommand = z.infer<typeof ChannelCommandSchema>;
export type ChannelCommandType = ChannelCommand['type'];

export const ChannelCommandTopic = defineTopic({
  name: 'chat.channel.command.v1',
  partitions: 12,
  key: 'channelId',
  schema: ChannelCommandSchema,
  description: 'Client commands on a channel, published by the gateway, consumed by messaging.',
});

export const MessageEventSchema = z.object({ message: MessageSchema });
export type MessageEvent = z.infer<typeof MessageEventSchema>;

export const MessageCreatedTopic = defineTopic({
  name: 'chat.message.created.v1',
  partitions: 12,
  key: 'channelId',
  schema: MessageEventSchema,
  description: 'A message was stored with its seq (messaging). Gateways deliver it as message:new.',
});

export const MessageUpdatedTopic = defineTopic({
  name: 'chat.message.updated.v1',
  partitions: 12,
  key: 'channelId',
  schema: MessageEventSchema,
  description: 'A message was edited, deleted, reacted to or replied to. Gateways deliver message:updated.',
});

/** The answer to one command, routed back to the gateway instance that holds the client's ack. */
export const CommandReplySchema = z.object({
  replyTo: ReplyToSchema,
  commandId: IdSchema,
  result: z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), message: MessageSchema.optional() }),
    z.object({ ok: z.literal(false), error: ErrorDetailSchema }),
  ]),
});
export type CommandReply = z.infer<typeof CommandReplySchema>;

export const CommandReplyTopic = defineTopic({
  name: 'chat.command.reply.v1',
  partitions: 6,
  key: 'gatewayId',
  schema: CommandReplySchema,
  description: 'Results of channel commands (messaging), consumed by the gateway instance named in replyTo.',
});
