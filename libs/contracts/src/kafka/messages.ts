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

/** A messaging instance's direct command endpoint: the base URL of its HTTP port. */
export const DirectAddressSchema = z.string().url().max(300);

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
 * The sequencer's log (see docs/design/sequencer.md), and the stream every device's `message:new`
 * comes from. Partition p of this topic belongs to the owner of partition p of
 * chat.channel.command.v1, which writes, in this order: an `epoch` marker when it takes the
 * partition over, then the sends it sequenced under that epoch. Every reader applies the same
 * fence: once it has seen a marker, it drops records of an older epoch (their owner was deposed
 * before it wrote them), and it takes a channel's send only as the last seq + 1. The store writes
 * Cassandra from it; gateways deliver from it; acknowledgements wait for chat.message.stored.v1.
 */
export const SequencedRecordSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('epoch'),
    epoch: z.number().int().positive(),
    owner: z.string().min(1).max(200),
    /** Where the owner takes sends directly (docs/design/sequencer.md, "The direct hop"); absent: only through the bus. */
    address: DirectAddressSchema.optional(),
  }),
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
  description:
    "The sequencer's log: epoch markers and sequenced sends. messaging's store writes them to Cassandra; gateways deliver them as message:new, both behind the same epoch and seq fence.",
});

const OffsetSchema = z.string().regex(/^\d{1,19}$/);

/** The owner of a partition as a store report announces it: its claimed epoch and its direct address. */
export const PartitionOwnerSchema = z.object({ epoch: z.number().int().positive(), address: DirectAddressSchema });
export type PartitionOwner = z.infer<typeof PartitionOwnerSchema>;

/** How far one store has got in one partition of chat.message.sequenced.v1. */
export const PartitionStoredSchema = z.object({
  partition: z.number().int().nonnegative(),
  /** Every record of the partition below this offset is decided, and stored if the fence accepted it. */
  storedBelow: OffsetSchema,
  /** The epoch in force at storedBelow: a reader that starts mid-log fences with it (sequenced-reader.ts). */
  epoch: z.number().int().nonnegative(),
  /** Offsets below storedBelow (of this report's span) that the fence refused: never acknowledged. */
  refused: z.array(OffsetSchema).max(50_000).optional(),
  /** Sends answered with a message stored earlier (a retried clientMsgId, a replayed record). */
  answers: z.array(z.object({ replyTo: ReplyToSchema, message: MessageSchema })).max(1_000).optional(),
  /** The sequencer of this partition in the reporting process, once it has claimed its epoch (gateways route sends to it). */
  owner: PartitionOwnerSchema.optional(),
});
export type PartitionStored = z.infer<typeof PartitionStoredSchema>;

export const MessageStoredSchema = z.object({ progress: z.array(PartitionStoredSchema).min(1).max(1_000) });
export type MessageStored = z.infer<typeof MessageStoredSchema>;

/**
 * Acknowledgements of sends, in bulk: what the stores of one messaging instance have written to
 * Cassandra since their last report. A gateway settles a pending send once the offset of its
 * sequenced record is below `storedBelow` and not refused, so an acknowledged message is durable
 * and in the sender's history. Many partitions and many sends per record (one per flush round).
 */
export const MessageStoredTopic = defineTopic({
  name: 'chat.message.stored.v1',
  partitions: 6,
  key: 'instanceId',
  schema: MessageStoredSchema,
  description: "Store progress per partition of chat.message.sequenced.v1 (messaging); gateways settle their senders' acknowledgements from it.",
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
