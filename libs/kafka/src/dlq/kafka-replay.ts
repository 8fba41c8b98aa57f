// The replay on Kafka: every letter in `<topic>.dlq` (up to the end the topic had when the replay
// started) that passes the filters is published again to the topic it came from through an
// idempotent producer, and the DLQ offset is committed only after the broker acknowledged the copy
// (letter-replay.ts says what is published). Progress lives in the consumer group
// `<prefix>dlq-replay.<topic>[.<group>][.<reason>]`, so a second run replays only letters parked
// since, and a replay cut short resumes where it stopped (a letter in flight may be published
// twice: consumers are idempotent, as for any redelivery). A dry run reads with a group of its
// own, from the oldest letter kept, and deletes that group afterwards.
import { Kafka, logLevel } from 'kafkajs';
import { LetterReplay, type ReplayFilterOptions, ReplayEnds, type ReplaySummary } from './letter-replay';

export interface KafkaReplayOptions extends ReplayFilterOptions {
  brokers: readonly string[];
}

export async function replayKafkaDeadLetters(options: KafkaReplayOptions): Promise<ReplaySummary> {
  const run = new LetterReplay(options);
  const { sourceTopic, deadLetterTopic } = run;
  const kafka = new Kafka({ clientId: 'dlq-replay', brokers: [...options.brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const replayGroup = run.dryRun ? `${options.prefix ?? ''}dlq-replay-dry-run.${options.topic}.${process.pid}.${Date.now()}` : run.progressName;

  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    if (!existing.has(deadLetterTopic)) throw new Error(`${deadLetterTopic} does not exist (no letter was ever parked for ${sourceTopic})`);
    const offsets = await admin.fetchTopicOffsets(deadLetterTopic);
    const ends = new ReplayEnds(deadLetterTopic, new Map(offsets.map((p) => [p.partition, BigInt(p.high)])));
    const [committed] = await admin.fetchOffsets({ groupId: replayGroup, topics: [deadLetterTopic] });
    const position = new Map((committed?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
    // Where each partition's replay starts: the committed offset, or the oldest letter still kept.
    for (const p of offsets) {
      const low = BigInt(p.low);
      const at = position.get(p.partition) ?? -1n;
      ends.startsAt(p.partition, at > low ? at : low);
    }
    if (ends.unfinished.length === 0) return run.summary();

    const producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
    const consumer = kafka.consumer({ groupId: replayGroup, allowAutoTopicCreation: false, maxWaitTimeInMs: 200 });
    await producer.connect();
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: deadLetterTopic, fromBeginning: true });
      consumer.on(consumer.events.CRASH, (event) => ends.failed(event.payload.error));
      await consumer.run({
        autoCommit: !run.dryRun,
        eachBatchAutoResolve: false,
        eachBatch: async (payload) => {
          const { batch } = payload;
          for (const message of batch.messages) {
            if (!payload.isRunning() || !ends.includes(batch.partition, message.offset)) break;
            await run.handle(batch.partition, message, async (copy) => {
              await producer.send({ topic: sourceTopic, acks: -1, messages: [copy] });
            });
            payload.resolveOffset(message.offset);
            ends.handled(batch.partition, message.offset);
          }
          if (!run.dryRun) await payload.commitOffsetsIfNecessary();
        },
      });
      try {
        await ends.wait(run.timeoutMs);
      } finally {
        // disconnect() commits what was resolved.
        await consumer.disconnect();
      }
    } finally {
      await producer.disconnect();
      if (run.dryRun) await admin.deleteGroups([replayGroup]).catch(() => undefined);
    }
    return run.summary();
  } finally {
    await admin.disconnect();
  }
}
