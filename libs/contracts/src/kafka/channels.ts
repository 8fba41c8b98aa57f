import { z } from 'zod';
import { IdSchema, SeqSchema } from '../common';
import { ChannelSchema } from '../domain/channel';
import { defineTopic } from './topic';

export const ChannelMembershipChangedSchema = z.object({
  channel: ChannelSchema,
  userId: IdSchema,
  change: z.enum(['joined', 'left']),
});
export type ChannelMembershipChanged = z.infer<typeof ChannelMembershipChangedSchema>;

export const ChannelMembershipTopic = defineTopic({
  name: 'chat.channel.membership.v1',
  partitions: 6,
  key: 'channelId',
  schema: ChannelMembershipChangedSchema,
  description: 'A user joined or left a channel (messaging). Gateways move that user\'s sockets into or out of the channel room.',
});

export const ReadMarkerMovedSchema = z.object({ userId: IdSchema, channelId: IdSchema, seq: SeqSchema });
export type ReadMarkerMoved = z.infer<typeof ReadMarkerMovedSchema>;

export const ReadMarkerTopic = defineTopic({
  name: 'chat.read.moved.v1',
  partitions: 6,
  key: 'userId',
  schema: ReadMarkerMovedSchema,
  description: "A user's read marker moved forward (messaging). Gateways tell the user's other devices.",
});
