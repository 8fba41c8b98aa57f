import { z } from 'zod';
import { BaseConfigSchema, BooleanSchema, CassandraEnv, cassandraKeyspaceEnv, jwksEnv, KafkaEnv, PortSchema } from '@chat/service-kit';
import { MessagingFilesEnv } from './files/files.config';

export const MessagingConfigSchema = BaseConfigSchema.extend({
  PORT: PortSchema.default(3002),
  ...KafkaEnv,
  ...CassandraEnv,
  ...cassandraKeyspaceEnv('chat_messaging'),
  ...jwksEnv(),
  ...MessagingFilesEnv,
  /**
   * Consumer group of the send pipeline (channel commands and the sequenced log, co-partitioned);
   * the users projection uses `<group>.users`, the after-store steps `<group>.projections`.
   */
  MESSAGING_CONSUMER_GROUP: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be 1-100 letters, digits, ".", "_" or "-"').default('messaging'),
  /**
   * Where a consumer group (or one of its partitions) without a committed offset starts. Keep
   * true: with false, an instance taking over a partition nobody committed on yet starts at its
   * end and skips the commands queued there.
   */
  MESSAGING_CONSUME_FROM_BEGINNING: BooleanSchema.default(true),
  /**
   * Messages per Cassandra partition (seq bucket). Fixed for the life of a keyspace: the value is
   * recorded on first start and a different one refuses to start. Configurable for tests.
   */
  MESSAGE_BUCKET_SIZE: z.coerce.number().int().min(2).max(100_000).default(1000),
  /**
   * How long adding an unknown user to a workspace waits for the user.registered projection to
   * catch up before answering not_found (a user registered a moment ago).
   */
  USER_PROJECTION_WAIT_MS: z.coerce.number().int().min(0).max(10_000).default(1500),
  /** Channels whose last seq stays cached in memory per process (least recently used evicted). */
  CHANNEL_HEAD_CACHE_SIZE: z.coerce.number().int().min(1).max(10_000_000).default(100_000),
  /**
   * Channels whose send-path state a process keeps in memory, split evenly among the partitions it
   * owns: the sequencer's (last seq and the last 1,000-2,000 clientMsgIds, up to ~170 KB for a
   * long history; the default, 3,000, keeps that under ~510 MB, within the 768 Mi pod of k8s/), its
   * store progress and the store's fence (one number). Above it the least
   * recently used quiet channels are forgotten and read back from Cassandra on their next command
   * (docs/design/sequencer.md, "Memory").
   */
  SEQUENCER_CHANNELS: z.coerce.number().int().min(1).max(10_000_000).default(3_000),
  /** (channel, member) pairs whose membership stays cached per process (channels/member-cache.ts). */
  MEMBER_CACHE_SIZE: z.coerce.number().int().min(1).max(10_000_000).default(200_000),
  /** How long a cached membership may be used; leaves are also pushed to every process. 0 disables the cache. */
  MEMBER_CACHE_TTL_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
  /**
   * The direct hop of sends (docs/design/sequencer.md, "The direct hop"): gateways presenting this
   * secret hand `message:send` commands straight to the partition's owner on this HTTP port
   * (Socket.IO namespace /internal/commands) instead of through chat.channel.command.v1. The same
   * value on every gateway and messaging instance; unset: sends go only through the bus.
   */
  COMMAND_HOP_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /**
   * The host gateways reach this instance's HTTP port at, announced with each partition it owns as
   * http://<host>:<the port it listens on>. Default 127.0.0.1; on Kubernetes the pod's IP (k8s/),
   * in compose the service's name.
   */
  COMMAND_HOP_HOST: z.string().min(1).max(253).regex(/^[A-Za-z0-9.:-]+$/, 'must be a host name or an IP address').default('127.0.0.1'),
});
export type MessagingConfig = z.infer<typeof MessagingConfigSchema>;
