// `npm run dlq:replay` on RabbitMQ (the real broker: RABBITMQ_URL, else the local one): records
// parked by two real consumer groups of the bus library are listed by dry runs (which publish and
// record nothing), then published back by the command, run as a process, to the stream of the
// partition they came from, where the fixed consumer applies them; the filters choose the letters,
// and a second run replays only what was parked since. Every stream and queue carries this run's
// prefix and is deleted afterwards.
import { Logger } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { deadLetterTopicName, defineTopic } from '@chat/contracts';
import { BusConsumers, BusModule, BusProducer, type ConsumerHandle, leaseQueueName, membersQueueName, NonRetriableError, streamName } from '@chat/kafka';
import { HealthModule, MetricsModule } from '@chat/service-kit';
import { sleep, uniqueName, waitFor } from '@chat/testing';
import { type ChannelModel, connect } from 'amqplib';
import { z } from 'zod';
import { type AppliedRecord, expectReplayedCopies, runReplay } from './replay-spec.support';

jest.setTimeout(180_000);

const RABBITMQ_URL = process.env['RABBITMQ_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672';
const PREFIX = `dlq-${uniqueName('')}.`;
const PARTITIONS = 3;
const Topic = defineTopic({
  name: 'test.dlq-replay-rabbit.event.v1',
  partitions: PARTITIONS,
  key: 'key',
  schema: z.object({ key: z.string(), n: z.number().int() }),
  description: 'dlq:replay spec on RabbitMQ',
});
/** The same topic as a producer with a looser schema sees it: its records fail the consumers' schema. */
const LooseTopic = defineTopic({ ...Topic, schema: z.object({ key: z.string(), n: z.unknown() }) });
const PROJECTION = 'replay-spec.projection';
const AUDIT = 'replay-spec.audit';
const SOURCE = `${PREFIX}${Topic.name}`;
const DLQ = deadLetterTopicName(SOURCE);

/** A record as read raw from a stream of the run. */
interface Seen {
  partition: number;
  offset: number;
  key: string;
  headers: Record<string, string>;
}

const replay = (env: NodeJS.ProcessEnv, ...args: string[]) => runReplay(args, env);
const ours = ['--topic', Topic.name, '--prefix', PREFIX];
const onRabbit = [...ours, '--bus', 'rabbitmq', '--url', RABBITMQ_URL];

describe('npm run dlq:replay on RabbitMQ', () => {
  let app: TestingModule;
  let raw: ChannelModel;
  const handles: ConsumerHandle[] = [];
  let fixed = false;
  const applied: (AppliedRecord & { partition: number })[] = [];
  /** Everything in the topic's streams and in its dead-letter streams, read raw from the first record. */
  const source: Seen[] = [];
  const letters: Seen[] = [];

  const follow = async (topic: string, into: Seen[]): Promise<void> => {
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const channel = await raw.createChannel();
      await channel.prefetch(100);
      await channel.consume(
        streamName(topic, partition),
        (message) => {
          if (message === null) return;
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(message.properties.headers ?? {})) headers[name] = String(value);
          into.push({ partition, offset: Number(headers['x-stream-offset']), key: headers['x-bus-key'] ?? '', headers });
          channel.ack(message);
        },
        { noAck: false, arguments: { 'x-stream-offset': 'first' } },
      );
    }
  };
  const queueExists = async (name: string): Promise<boolean> => {
    const channel = await raw.createChannel();
    channel.on('error', () => undefined);
    const exists = await channel.checkQueue(name).then(
      () => true,
      () => false,
    );
    if (exists) await channel.close();
    return exists;
  };
  const progressQueues = (filter: string) => Array.from({ length: PARTITIONS }, (_, p) => leaseQueueName(`${PREFIX}dlq-replay.${Topic.name}.${filter}`, p));

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    raw = await connect(RABBITMQ_URL);
    app = await Test.createTestingModule({
      imports: [
        HealthModule,
        MetricsModule,
        BusModule.forService(
          'dlq-rabbit-spec',
          { BUS: 'rabbitmq', RABBITMQ_URL, KAFKA_BROKERS: [], KAFKA_REPLICATION_FACTOR: 1, KAFKA_TOPIC_PREFIX: PREFIX },
          [Topic],
        ),
      ],
    }).compile();
    await app.init();
    await follow(SOURCE, source);
    await follow(DLQ, letters);
    const consumers = app.get(BusConsumers);
    // Parks everything until fixed.
    handles.push(
      await consumers.consume({
        groupId: PROJECTION,
        topics: [Topic],
        fromBeginning: true,
        handler: (record) => {
          if (!fixed) return Promise.reject(new NonRetriableError('a bug, fixed later'));
          applied.push({ ...record.value, partition: record.partition, headers: record.headers });
          return Promise.resolve();
        },
      }),
    );
    // Parks only b until fixed: its letters are the --group filter's other group.
    handles.push(
      await consumers.consume({
        groupId: AUDIT,
        topics: [Topic],
        fromBeginning: true,
        handler: (record) => (!fixed && record.key === 'b' ? Promise.reject(new NonRetriableError('another bug')) : Promise.resolve()),
      }),
    );
    await Promise.all(handles.map((h) => h.ready));
  });

  afterAll(async () => {
    await Promise.allSettled(handles.map((h) => h.stop()));
    await app?.close();
    const names: string[] = [];
    for (const topic of [SOURCE, DLQ]) for (let p = 0; p < PARTITIONS; p++) names.push(streamName(topic, p));
    for (const group of [PROJECTION, AUDIT]) {
      names.push(membersQueueName(`${PREFIX}${group}`));
      for (let p = 0; p < PARTITIONS; p++) names.push(leaseQueueName(`${PREFIX}${group}`, p));
    }
    names.push(...progressQueues(`${PROJECTION}.handler-failed`), ...progressQueues(`${AUDIT}.handler-failed`));
    // One channel per delete: a failed one closes its channel.
    for (const name of names) {
      const channel = await raw.createChannel();
      channel.on('error', () => undefined);
      await channel.deleteQueue(name).catch(() => undefined);
      await channel.close().catch(() => undefined);
    }
    await raw?.close();
  });

  it('lists the letters, filtered, without publishing or recording anything; replays the chosen ones to their partition, once', async () => {
    const producer = app.get(BusProducer);
    await producer.publishBatch(
      Topic,
      ['a', 'b', 'c'].map((key, n) => ({ key, value: { key, n }, headers: { 'x-trace': `t-${key}` } })),
    );
    await producer.publish(LooseTopic, 'd', { key: 'd', n: 'not a number' });
    // projection: a, b, c (handler-failed) and d (schema-violation); audit: b and d.
    await waitFor('six dead letters', () => letters.length === 6);
    const partitionOf = new Map(source.map((s) => [s.key, s.partition]));
    expect(partitionOf.size).toBe(4);
    // Each letter lies in the dead-letter partition of the record's own partition.
    for (const letter of letters) expect(letter.partition).toBe(partitionOf.get(letter.key));

    // The bus chosen by the environment, as the services choose theirs.
    const dry = await replay({ BUS: 'rabbitmq', RABBITMQ_URL }, ...ours, '--dry-run');
    expect(dry.out).toContain(`${DLQ} → ${SOURCE}: 6 listed, 0 skipped`);
    expect(dry.code).toBe(0);
    const byGroup = await replay({}, ...onRabbit, '--dry-run', '--group', AUDIT);
    expect(byGroup.out).toContain(': 2 listed, 4 skipped');
    const byReason = await replay({}, ...onRabbit, '--dry-run', '--reason', 'schema-violation');
    expect(byReason.out).toContain(': 2 listed, 4 skipped');
    expect(byReason.out).toMatch(new RegExp(`listed +\\d/\\d+ key=d group=${PREFIX.replace('.', '\\.')}replay-spec\\.(projection|audit) reason=schema-violation error=`));
    const both = await replay({}, ...onRabbit, '--dry-run', '--group', AUDIT, '--reason', 'handler-failed');
    expect(both.out).toContain(': 1 listed, 5 skipped');
    expect(both.out).toMatch(new RegExp(`listed +${partitionOf.get('b')}/\\d+ key=b group=${PREFIX.replace('.', '\\.')}replay-spec\\.audit reason=handler-failed`));
    // Nothing published (the consumers would have parked it again), no progress recorded.
    await sleep(500);
    expect(source).toHaveLength(4);
    expect(letters).toHaveLength(6);
    for (const name of progressQueues(`${PROJECTION}.handler-failed`)) expect(await queueExists(name)).toBe(false);

    fixed = true;
    const first = await replay({}, ...onRabbit, '--group', PROJECTION, '--reason', 'handler-failed');
    expect(first.out).toContain(': 3 replayed, 3 skipped');
    expect(first.code).toBe(0);
    await waitFor('the replayed records to be applied', () => applied.length === 3);
    const replayedFrom = expectReplayedCopies(applied, DLQ);
    for (const { key, partition } of applied) {
      // Back in the partition it was parked from, copied from the letter the projection parked.
      expect(partition).toBe(partitionOf.get(key));
      const parked = letters.find((l) => l.key === key && l.headers['x-dlq-consumer-group'] === `${PREFIX}${PROJECTION}`);
      expect(replayedFrom.get(key)).toEqual({ partition, offset: parked?.offset });
    }
    expect(source).toHaveLength(7);

    const again = await replay({}, ...onRabbit, '--group', PROJECTION, '--reason', 'handler-failed');
    expect(again.out).toContain(': 0 replayed, 0 skipped');
    expect(again.code).toBe(0);

    // Parked after the first replay: the next run replays that one only.
    fixed = false;
    await producer.publish(Topic, 'e', { key: 'e', n: 4 });
    await waitFor('the new dead letter', () => letters.length === 7);
    const eAt = source.find((s) => s.key === 'e')?.partition;
    expect(letters[6]).toMatchObject({ key: 'e', partition: eAt });
    fixed = true;
    const later = await replay({}, ...onRabbit, '--group', PROJECTION, '--reason', 'handler-failed');
    expect(later.out).toContain(': 1 replayed, 0 skipped');
    await waitFor('the new letter to be applied', () => applied.length === 4);
    expect(applied[3]).toMatchObject({ key: 'e', n: 4, partition: eAt });

    // Another filter keeps progress of its own: the audit group's letter of b is still there to replay.
    const audit = await replay({}, ...onRabbit, '--group', AUDIT, '--reason', 'handler-failed');
    expect(audit.out).toContain(': 1 replayed, 6 skipped');
    await waitFor('b applied a second time', () => applied.filter((a) => a.key === 'b').length === 2);
    expect(source).toHaveLength(10);
  });

  it('fails with exit code 1 for a topic with no dead-letter streams', async () => {
    const answer = await replay({}, '--topic', Topic.name, '--prefix', `${PREFIX.slice(0, -1)}-none.`, '--bus', 'rabbitmq', '--url', RABBITMQ_URL);
    expect(answer.code).toBe(1);
    expect(answer.out).toContain('does not exist');
  });
});
