import { z } from 'zod';
import { IdSchema, SeqSchema, TimestampSchema } from '../common';
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

/**
 * The sequencer's log (see docs/design/sequencer.md). Partition p of this topic belongs to the
 * owner of partition p of chat.channel.command.v1, which writes, in this order: an `epoch` marker
 * when it takes the partition over, then the sends it sequenced under that epoch. The store
 * consumer accepts a send only if its epoch is the partition's latest marker and its seq is the
 * channel's last + 1 (or repeats a stored message exactly), so a deposed owner can append here but
 * can never be stored, delivered or acknowledged.
 */
export const SequencedRecordSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('epoch'), epoch: z.number().int().positive(), owner: z.string().min(1).max(200) }),
  z.object({
    kind: z.literal('send'),
    epoch: z.number().int().positive(),
    message: MessageSchema,
    /** Absent when the send came without one (a replay, a test); then nobody waits for an ack. */
    replyTo: ReplyToSchema.optional(),
  }),
  /** A send whose clientMsgId the channel already has at `seq`: acknowledge it with the stored message. */
  z.object({
    kind: z.literal('duplicate'),
    epoch: z.number().int().positive(),
    channelId: IdSchema,
    seq: SeqSchema,
    clientMsgId: IdSchema,
    replyTo: ReplyToSchema.optional(),
  }),
]);
export type SequencedRecord = z.infer<typeof SequencedRecordSchema>;

export const MessageSequencedTopic = defineTopic({
  name: 'chat.message.sequenced.v1',
  partitions: 12,
  key: 'channelId',
  schema: SequencedRecordSchema,
  description: "The sequencer's log: epoch markers and sequenced sends (messaging to itself; only the store consumer reads it).",
});

/** A stored message, and whose send it acknowledges (the sender's gateway settles its ack from it). */
export const MessageCreatedSchema = z.object({ message: MessageSchema, replyTo: ReplyToSchema.optional() });
export type MessageCreated = z.infer<typeof MessageCreatedSchema>;

export const MessageCreatedTopic = defineTopic({
  name: 'chat.message.created.v1',
  partitions: 12,
  key: 'channelId',
  schema: MessageCreatedSchema,
  description:
    "A message was stored with its seq (messaging's store consumer). Gateways deliver it as message:new and settle the sender's ack from replyTo. A (channelId, seq) may repeat, always with the same message.",
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
