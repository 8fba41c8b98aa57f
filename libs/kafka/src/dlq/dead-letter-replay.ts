// Replays a dead-letter topic: every letter in `<topic>.dlq` (up to the end the topic had when the
// replay started) is published again to the topic it came from, with its original key, value and
// headers (the x-dlq-* headers dropped, `x-dlq-replayed-from` added), through an idempotent
// producer, and the DLQ offset is committed only after the broker acknowledged the copy. Progress
// lives in the consumer group `<prefix>dlq-replay.<topic>[.<group filter>]`, so a second run
// replays only letters parked since, and a replay cut short resumes where it stopped (a letter in
// flight may be published twice: consumers are idempotent, as for any redelivery).
//
// A replayed record reaches every consumer group of the source topic again, not only the one that
// parked it; that is safe for the same reason. `groupId` replays only the letters one group parked.
// Run it once the cause is fixed (a bug, a schema that now accepts the record); `npm run
// dlq:replay -- --help` (tools/dlq) is the command.
import { deadLetterTopicName } from '@chat/contracts';
import { type IHeaders, Kafka, type KafkaMessage, logLevel } from 'kafkajs';
import { DEAD_LETTER_HEADERS } from '../consumer/dead-letter';

export interface ReplayOptions {
  brokers: readonly string[];
  /** The source topic's contract name, e.g. `chat.channel.membership.v1`. */
  topic: string;
  /** The deployment's topic and group prefix (KAFKA_TOPIC_PREFIX). Default none. */
  prefix?: string;
  /** Only letters parked by this consumer group (as named in the service's config, without the prefix). */
  groupId?: string;
  /** Only letters with this reason (`handler-failed`, `not-json`, `schema-violation`). */
  reason?: string;
  /** List the letters without publishing or committing anything. */
  dryRun?: boolean;
  /** Called once per letter (replayed, skipped or listed). */
  onLetter?: (letter: ReplayedLetter) => void;
  /** Give up when the end is not reached within this. Default 60 s. */
  timeoutMs?: number;
}

export interface ReplayedLetter {
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly group: string | undefined;
  readonly reason: string | undefined;
  readonly error: string | undefined;
  readonly action: 'replayed' | 'skipped' | 'listed';
}

export interface ReplaySummary {
  readonly deadLetterTopic: string;
  readonly sourceTopic: string;
  readonly replayed: number;
  readonly skipped: number;
  readonly listed: number;
}

export const REPLAYED_FROM_HEADER = 'x-dlq-replayed-from';

const DLQ_HEADER_NAMES = new Set<string>(Object.values(DEAD_LETTER_HEADERS));

function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  return last === undefined ? undefined : last.toString();
}

/** The original headers of a letter: the x-dlq-* ones removed. */
export function originalHeaders(headers: IHeaders | undefined): IHeaders {
  return Object.fromEntries(Object.entries(headers ?? {}).filter(([name, value]) => !DLQ_HEADER_NAMES.has(name) && value !== undefined));
}

export async function replayDeadLetters(options: ReplayOptions): Promise<ReplaySummary> {
  const prefix = options.prefix ?? '';
  const sourceTopic = `${prefix}${options.topic}`;
  const deadLetterTopic = deadLetterTopicName(sourceTopic);
  const wantedGroup = options.groupId === undefined ? undefined : `${prefix}${options.groupId}`;
  const kafka = new Kafka({ clientId: 'dlq-replay', brokers: [...options.brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const replayGroup = options.dryRun
    ? `${prefix}dlq-replay-dry-run.${options.topic}.${process.pid}.${Date.now()}`
    : `${prefix}dlq-replay.${options.topic}${options.groupId ? `.${options.groupId}` : ''}${options.reason ? `.${options.reason}` : ''}`;
  const counts = { replayed: 0, skipped: 0, listed: 0 };

  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    if (!existing.has(deadLetterTopic)) throw new Error(`${deadLetterTopic} does not exist (no letter was ever parked for ${sourceTopic})`);
    const offsets = await admin.fetchTopicOffsets(deadLetterTopic);
    const ends = new Map(offsets.map((p) => [p.partition, BigInt(p.high)]));
    const [committed] = await admin.fetchOffsets({ groupId: replayGroup, topics: [deadLetterTopic] });
    const position = new Map((committed?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
    // Where each partition's replay starts: the committed offset, or the oldest letter still kept.
    const start = (p: { partition: number; low: string }): bigint => {
      const low = BigInt(p.low);
      const at = position.get(p.partition) ?? -1n;
      return at > low ? at : low;
    };
    const pending = new Set(offsets.filter((p) => BigInt(p.high) > start(p)).map((p) => p.partition));
    if (pending.size === 0) return { deadLetterTopic, sourceTopic, ...counts };

    const producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
    const consumer = kafka.consumer({ groupId: replayGroup, allowAutoTopicCreation: false, maxWaitTimeInMs: 200 });
    await producer.connect();
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: deadLetterTopic, fromBeginning: true });
      let finish: () => void = () => undefined;
      let fail: (error: unknown) => void = () => undefined;
      const done = new Promise<void>((resolve, reject) => {
        finish = resolve;
        fail = reject;
      });
      consumer.on(consumer.events.CRASH, (event) => fail(event.payload.error));
      const handle = async (partition: number, message: KafkaMessage): Promise<void> => {
        const group = headerText(message.headers, DEAD_LETTER_HEADERS.groupId);
        const reason = headerText(message.headers, DEAD_LETTER_HEADERS.reason);
        const original = headerText(message.headers, DEAD_LETTER_HEADERS.topic) ?? sourceTopic;
        const wanted = (wantedGroup === undefined || group === wantedGroup) && (options.reason === undefined || reason === options.reason);
        let action: ReplayedLetter['action'];
        if (!wanted) action = 'skipped';
        else if (options.dryRun) action = 'listed';
        else {
          if (original !== sourceTopic) throw new Error(`letter ${partition}/${message.offset} came from ${original}, not ${sourceTopic}`);
          await producer.send({
            topic: sourceTopic,
            acks: -1,
            messages: [
              {
                key: message.key,
                value: message.value,
                headers: { ...originalHeaders(message.headers), [REPLAYED_FROM_HEADER]: `${deadLetterTopic}/${partition}/${message.offset}` },
              },
            ],
          });
          action = 'replayed';
        }
        counts[action]++;
        options.onLetter?.({
          partition,
          offset: message.offset,
          key: message.key === null ? null : message.key.toString(),
          group,
          reason,
          error: headerText(message.headers, DEAD_LETTER_HEADERS.error),
          action,
        });
      };
      await consumer.run({
        autoCommit: !options.dryRun,
        eachBatchAutoResolve: false,
        eachBatch: async (payload) => {
          const { batch } = payload;
          const end = ends.get(batch.partition) ?? 0n;
          for (const message of batch.messages) {
            if (!payload.isRunning() || BigInt(message.offset) >= end) break;
            await handle(batch.partition, message);
            payload.resolveOffset(message.offset);
            if (BigInt(message.offset) + 1n >= end) pending.delete(batch.partition);
          }
          if (!options.dryRun) await payload.commitOffsetsIfNecessary();
          if (pending.size === 0) finish();
        },
      });
      const timeoutMs = options.timeoutMs ?? 60_000;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the replay did not reach the end of ${deadLetterTopic} within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([done, timeout]);
      } finally {
        clearTimeout(timer);
        // disconnect() commits what was resolved.
        await consumer.disconnect();
      }
    } finally {
      await producer.disconnect();
      if (options.dryRun) await admin.deleteGroups([replayGroup]).catch(() => undefined);
    }
    return { deadLetterTopic, sourceTopic, ...counts };
  } finally {
    await admin.disconnect();
  }
}
