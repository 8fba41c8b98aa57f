// The direct hop of a send (docs/design/sequencer.md, "The direct hop"): a gateway hands a
// `message.send` command straight to the messaging instance that owns the channel's partition,
// over one Socket.IO connection per instance, instead of through chat.channel.command.v1. The
// command is the same; the sequenced log stays the durable record, and the bus stays the path
// whenever the owner is unknown, unreachable or no longer owns the partition.
import { z } from 'zod';
import { IdSchema, TimestampSchema } from '../common';
import { ReplyToSchema } from '../kafka/messages';
import { SendMessagePayloadSchema } from '../socket/payloads';

/** Socket.IO namespace of the endpoint, on messaging's HTTP port. */
export const DIRECT_COMMANDS_NAMESPACE = '/internal/commands';
/**
 * The one event: the sends a gateway handed over in one turn of its event loop, in order (1 to
 * MAX_DIRECT_SENDS), answered (Socket.IO ack) with one DirectSendAnswer each, in the same order.
 * A payload that is not such a list is answered with an empty list. One frame per turn, not per
 * send: at 1,000 sends/s a frame per send cost more CPU than the Kafka hop it replaces.
 */
export const DIRECT_SENDS_EVENT = 'sends';
export const MAX_DIRECT_SENDS = 500;

export const DirectSendSchema = z.object({
  /** The epoch the gateway believes owns the partition: the owner takes the send only under exactly that epoch. */
  epoch: z.number().int().positive(),
  command: z.object({
    type: z.literal('message.send'),
    commandId: IdSchema,
    userId: IdSchema,
    issuedAt: TimestampSchema,
    replyTo: ReplyToSchema,
    payload: SendMessagePayloadSchema,
  }),
  /** Trace headers of a sampled command (the hop metrics), as the bus would carry them. */
  trace: z.record(z.string().max(64), z.string().max(64)).optional(),
});
export type DirectSend = z.infer<typeof DirectSendSchema>;

/**
 * `accepted`: the owner's sequencer took the send in order (its result comes as for the bus: the
 * store's report or a reply). Otherwise the gateway sends it through the bus.
 */
export type DirectSendAnswer = { accepted: true } | { accepted: false; reason: 'not_owner' | 'invalid' };
