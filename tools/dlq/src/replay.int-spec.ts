// `npm run dlq:replay` against the real broker: records parked by a real consumer (its handler
// threw NonRetriableError) are published back to their topic by the command, as a process, and
// the fixed consumer applies them; a dry run changes nothing and a second run replays nothing.
import { Logger } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { deadLetterTopicName, defineTopic } from '@chat/contracts';
import { type ConsumerHandle, KafkaConsumerFactory, KafkaModule, KafkaProducer, NonRetriableError } from '@chat/kafka';
import { HealthModule, MetricsModule } from '@chat/service-kit';
import { uniqueName, waitFor } from '@chat/testing';
// kafkajs 2.2.4 spins a 1 ms timer on every connection without it (the bus library's fix).
import '@chat/kafka/kafkajs-fix';
import { Kafka, logLevel } from 'kafkajs';
import { z } from 'zod';
import { type AppliedRecord, expectReplayedCopies, runReplay } from './replay-spec.support';

jest.setTimeout(180_000);

const BROKERS = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const run = uniqueName('').replace(/_/g, '-');
const PREFIX = `dlq-${run}.`;
const Topic = defineTopic({
  name: 'test.dlq-replay.event.v1',
  partitions: 3,
  key: 'key',
  schema: z.object({ key: z.string(), n: z.number().int() }),
  description: 'dlq:replay spec',
});

/** Runs the command as an operator would, and returns its exit code and output. */
function replay(...args: string[]): Promise<{ code: number; out: string }> {
  return runReplay(['--brokers', BROKERS.join(','), '--prefix', PREFIX, ...args], {});
}

describe('npm run dlq:replay', () => {
  let app: TestingModule;
  let handle: ConsumerHandle;
  const kafka = new Kafka({ clientId: `dlq-spec-${run}`, brokers: BROKERS, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  let fixed = false;
  const applied: AppliedRecord[] = [];

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    app = await Test.createTestingModule({
      imports: [HealthModule, MetricsModule, KafkaModule.forRoot({ brokers: BROKERS, clientId: `dlq-spec-${run}`, topicPrefix: PREFIX, topics: [Topic] })],
    }).compile();
    await app.init();
    await admin.connect();
    handle = await app.get(KafkaConsumerFactory).consume({
      groupId: 'replay-spec.projection',
      topics: [Topic],
      fromBeginning: true,
      handler: (record) => {
        if (!fixed) return Promise.reject(new NonRetriableError('a bug, fixed later'));
        applied.push({ ...record.value, headers: record.headers });
        return Promise.resolve();
      },
    });
    await handle.ready;
  });

  afterAll(async () => {
    await handle?.stop();
    await app?.close();
    const names = [`${PREFIX}${Topic.name}`, deadLetterTopicName(`${PREFIX}${Topic.name}`)];
    await admin.deleteTopics({ topics: names }).catch(() => undefined);
    const { groups } = await admin.listGroups();
    const ours = groups.map((g) => g.groupId).filter((id) => id.startsWith(PREFIX));
    if (ours.length > 0) await admin.deleteGroups(ours).catch(() => undefined);
    await admin.disconnect();
  });

  const parked = async (): Promise<number> =>
    (await admin.fetchTopicOffsets(deadLetterTopicName(`${PREFIX}${Topic.name}`))).reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);

  it('republishes parked records to their source topic, once, where the fixed consumer applies them', async () => {
    await app.get(KafkaProducer).publishBatch(
      Topic,
      ['a', 'b', 'c'].map((key, n) => ({ key, value: { key, n }, headers: { 'x-trace': `t-${key}` } })),
    );
    await waitFor('three dead letters', async () => (await parked()) === 3);

    const dry = await replay('--topic', Topic.name, '--dry-run');
    expect(dry.out).toContain('3 listed');
    expect(dry.code).toBe(0);

    fixed = true;
    const first = await replay('--topic', Topic.name, '--group', 'replay-spec.projection');
    expect(first.out).toContain('3 replayed');
    expect(first.code).toBe(0);
    await waitFor('the replayed records to be applied', () => applied.length === 3);
    expectReplayedCopies(applied, deadLetterTopicName(`${PREFIX}${Topic.name}`));

    const again = await replay('--topic', Topic.name, '--group', 'replay-spec.projection');
    expect(again.out).toContain('0 replayed');
    expect(applied).toHaveLength(3);
  });

  it('refuses bad usage with exit code 2', async () => {
    const answer = await replay('--reason', 'whatever', '--topic', Topic.name);
    expect(answer.code).toBe(2);
    expect(answer.out).toContain('--reason must be');
  });
});
