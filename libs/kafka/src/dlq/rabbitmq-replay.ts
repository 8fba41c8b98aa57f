// The replay on RabbitMQ: partition p of `<topic>.dlq` is the stream `<topic>.dlq.p<p>`; every
// letter in it (up to the end it had when the replay started) that passes the filters is published
// again to the stream of the same partition of its topic, `<topic>.p<p>`, with publisher confirms
// (letter-replay.ts says what is published), through the transport's own connection, producer and
// stream reader.
//
// Progress: AMQP has no server-side offset tracking for streams (that is the stream protocol's,
// which this transport does not use), so the replay keeps it where the transport's consumer groups
// keep theirs: per dead-letter partition, a lease (partition-lease.ts, the quorum queue
// `<prefix>dlq-replay.<topic>[.<group>][.<reason>].owner.p<p>`) whose token holds the next offset
// to read, committed after each batch once every copy in it was confirmed. That store is durable
// and replicated, is already how a group resumes, and gives one more thing for free: two replays of
// the same filter cannot run at once (the second waits for the lease, and times out). A replay cut
// short resumes after its last commit (a batch in flight may be published twice: consumers are
// idempotent, as for any redelivery). A dry run takes no lease: it reads every partition from the
// oldest letter kept and records nothing.
import { decodeHeaders } from '../codec/record.codec';
import { type RawMessage } from '../consumer/dead-letter';
import { type Offsets, PartitionLease } from '../rabbitmq/partition-lease';
import { RabbitMqAdmin } from '../rabbitmq/rabbitmq.admin';
import { RabbitMqConnection } from '../rabbitmq/rabbitmq.connection';
import { leaseQueueName, resolveRabbitMqOptions, streamName } from '../rabbitmq/rabbitmq.options';
import { RabbitMqProducer } from '../rabbitmq/rabbitmq.producer';
import { streamEnd, type StreamStart, StreamReader } from '../rabbitmq/stream-reader';
import { LetterReplay, type ReplayFilterOptions, ReplayEnds, type ReplaySummary } from './letter-replay';

export interface RabbitMqReplayOptions extends ReplayFilterOptions {
  /** `amqp://host:5672` or `amqps://…`, as RABBITMQ_URL. */
  url: string;
  /** Override the URL's credentials, as RABBITMQ_USERNAME / RABBITMQ_PASSWORD do. */
  username?: string;
  password?: string;
}

const PREFETCH = 500;

export async function replayRabbitMqDeadLetters(options: RabbitMqReplayOptions): Promise<ReplaySummary> {
  const run = new LetterReplay(options);
  const { sourceTopic, deadLetterTopic } = run;
  const resolved = resolveRabbitMqOptions({
    url: options.url,
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    clientId: `dlq-replay-${process.pid}`,
  });
  const connection = new RabbitMqConnection(resolved);
  const producer = new RabbitMqProducer(connection, resolved);
  const readers: StreamReader[] = [];
  const leases: PartitionLease[] = [];
  try {
    const partitions = await new RabbitMqAdmin(connection, resolved).existingPartitions(deadLetterTopic);
    if (partitions === 0) throw new Error(`${deadLetterTopic} does not exist (no stream ${streamName(deadLetterTopic, 0)}; the services declare it with ${sourceTopic})`);
    const model = await connection.get();
    const dlqStreams = Array.from({ length: partitions }, (_, p) => streamName(deadLetterTopic, p));
    const ends = new ReplayEnds(deadLetterTopic, new Map(await Promise.all(dlqStreams.map(async (stream, p) => [p, BigInt(await streamEnd(model, stream))] as const))));

    const read = async (partition: number, start: StreamStart, lease: PartitionLease | undefined): Promise<void> => {
      const reader: StreamReader = new StreamReader(model, {
        stream: dlqStreams[partition],
        start,
        prefetch: PREFETCH,
        deliver: (messages) => replayBatch(partition, messages, lease),
        lost: (error) => ends.failed(error),
      });
      readers.push(reader);
      await reader.start();
    };
    // Never rejects (the reader has nobody to hand a rejection to): a failure fails the run.
    const replayBatch = async (partition: number, messages: readonly RawMessage[], lease: PartitionLease | undefined): Promise<void> => {
      let last: RawMessage | undefined;
      const commit = (): Promise<void> => (lease === undefined || last === undefined ? Promise.resolve() : lease.commit({ [deadLetterTopic]: Number(last.offset) + 1 }));
      try {
        for (const message of messages) {
          if (!ends.includes(partition, message.offset)) break;
          await run.handle(partition, message, (copy) =>
            producer.send([{ topic: sourceTopic, partition, key: copy.key, value: copy.value, headers: decodeHeaders(copy.headers) }]),
          );
          last = message;
        }
        await commit();
        if (last !== undefined) ends.handled(partition, last.offset);
      } catch (error) {
        // What was confirmed before the failure is not replayed again by the next run.
        await commit().catch(() => undefined);
        ends.failed(error);
      }
    };

    for (const partition of ends.unfinished) {
      if (run.dryRun) {
        await read(partition, 'first', undefined);
        continue;
      }
      const lease: PartitionLease = new PartitionLease(model, leaseQueueName(run.progressName, partition), partition, {
        acquired: (_, offsets: Offsets) => {
          const next = offsets[deadLetterTopic];
          ends.startsAt(partition, BigInt(next ?? 0));
          if (ends.unfinished.includes(partition)) read(partition, next ?? 'first', lease).catch((error: unknown) => ends.failed(error));
        },
        lost: (_, error) => ends.failed(error),
      });
      leases.push(lease);
      await lease.start();
    }
    await ends.wait(run.timeoutMs, run.dryRun ? '' : ` (does another replay of ${run.progressName} hold its leases?)`);
    return run.summary();
  } finally {
    await Promise.all(readers.map((r) => r.stop()));
    await Promise.all(leases.map((l) => l.close()));
    await connection.onApplicationShutdown();
  }
}

