// A consumer that kafkajs gives up on ("crashed for good") against the real broker. The crash is
// provoked the way a misconfigured cluster would: the dead-letter topic refuses records as large
// as the one being parked (max.message.bytes), a non-retriable broker error. The consumer must be
// restarted (readiness fails meanwhile) and carry on once the cause is fixed; when its restarts
// are spent, /health/live must fail so that the process is restarted.
import { Logger } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { deadLetterTopicName, defineTopic } from '@chat/contracts';
import { ReadinessRegistry } from '@chat/service-kit';
import { uniqueName, waitFor } from '@chat/testing';
import { type Admin, ConfigResourceTypes } from 'kafkajs';
import { z } from 'zod';
import { type ConsumerHandle, KafkaConsumerFactory, KafkaModule, KafkaProducer, NonRetriableError, type RestartPolicy } from './index';
import { rawKafka, TEST_BROKERS, TestReadinessModule } from './testing/kafka-test.env';

jest.setTimeout(120_000);

const run = uniqueName('');
const schema = z.object({ key: z.string(), seq: z.number().int(), pad: z.string() });
const topic = (event: string) => defineTopic({ name: `test.kafka-${run}.${event}.v1`, partitions: 1, key: 'key', schema, description: `restart spec: ${event}` });
const Recovers = topic('recovers');
const GivesUp = topic('gives-up');
const Resumes = topic('resumes');
const BIG = 'x'.repeat(2_000);

describe('a Kafka consumer that crashed for good', () => {
  let admin: Admin;
  const apps: TestingModule[] = [];
  const handles: ConsumerHandle[] = [];

  async function start(restart: Partial<RestartPolicy>): Promise<TestingModule> {
    const app = await Test.createTestingModule({
      imports: [TestReadinessModule, KafkaModule.forRoot({ brokers: TEST_BROKERS, clientId: `test-${run}-${apps.length}`, consumerRestart: restart })],
    }).compile();
    apps.push(app);
    return app.init();
  }

  /** The topic, and a dead-letter topic that refuses records over 200 bytes. */
  async function createTopics(name: string): Promise<void> {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: name, numPartitions: 1 },
        { topic: deadLetterTopicName(name), numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '200' }] },
      ],
    });
  }

  const check = (app: TestingModule, kind: 'ready' | 'live'): Promise<void> => {
    const registry = app.get(ReadinessRegistry);
    const checks = kind === 'ready' ? registry.list() : registry.listLiveness();
    return Promise.all(checks.map((c) => c.check())).then(() => undefined);
  };
  const passes = (app: TestingModule, kind: 'ready' | 'live') => check(app, kind).then(
    () => true,
    () => false,
  );

  beforeAll(async () => {
    Logger.overrideLogger(['fatal']);
    admin = rawKafka(`test-${run}-admin`).admin();
    await admin.connect();
    await createTopics(Recovers.name);
    await createTopics(GivesUp.name);
    await createTopics(Resumes.name);
  });

  afterAll(async () => {
    await Promise.allSettled(handles.map((h) => h.stop()));
    for (const app of apps) await app.close();
    const names = [Recovers, GivesUp, Resumes].flatMap((t) => [t.name, deadLetterTopicName(t.name)]);
    await admin.deleteTopics({ topics: names }).catch(() => undefined);
    const { groups } = await admin.listGroups();
    const ours = groups.map((g) => g.groupId).filter((id) => id.startsWith(`test-${run}-`));
    if (ours.length > 0) await admin.deleteGroups(ours).catch(() => undefined);
    await admin.disconnect();
    Logger.overrideLogger(['error', 'warn']);
  });

  it('is restarted, unready meanwhile, and carries on once the cause is fixed', async () => {
    const app = await start({ attempts: 100, initialDelayMs: 200, maxDelayMs: 1_000 });
    const handled: number[] = [];
    const handle = await app.get(KafkaConsumerFactory).consume({
      groupId: `test-${run}-recovers`,
      topics: [Recovers],
      fromBeginning: true,
      handler: ({ value }) => (value.pad.length > 0 ? Promise.reject(new NonRetriableError('refused')) : Promise.resolve(void handled.push(value.seq))),
    });
    handles.push(handle);
    await handle.ready;
    await app.get(KafkaProducer).publishBatch(Recovers, [
      { key: 'k', value: { key: 'k', seq: 1, pad: BIG } },
      { key: 'k', value: { key: 'k', seq: 2, pad: '' } },
    ]);

    await waitFor('the consumer to crash and readiness to fail', async () => !(await passes(app, 'ready')));
    expect(app.get(KafkaConsumerFactory).crashedGroups()).toEqual([`test-${run}-recovers`]);
    expect(await passes(app, 'live')).toBe(true);

    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: deadLetterTopicName(Recovers.name), configEntries: [{ name: 'max.message.bytes', value: '1048588' }] }],
    });
    await waitFor('the restarted consumer to park the record and handle the next one', () => handled.includes(2), 60_000);
    await waitFor('readiness to pass again', () => passes(app, 'ready'));
    expect(app.get(KafkaConsumerFactory).crashedGroups()).toEqual([]);
  });

  // A broadcast group commits nothing. Its restarted consumer used to resolve its offsets again
  // from the latest record, skipping what was published while it was down (a gateway's devices
  // then missed those messages; the failover tier's leader kill caught it).
  it('when broadcast, is restarted where it stopped reading, not at the latest record', async () => {
    const app = await start({ attempts: 100, initialDelayMs: 3_000, maxDelayMs: 3_000 });
    const handled: number[] = [];
    const handle = await app.get(KafkaConsumerFactory).consume({
      groupId: `test-${run}-resumes`,
      topics: [Resumes],
      broadcast: true,
      retry: { maxAttempts: 1 },
      handler: ({ value }) => (value.pad.length > 0 ? Promise.reject(new NonRetriableError('refused')) : Promise.resolve(void handled.push(value.seq))),
    });
    handles.push(handle);
    await handle.ready;
    const producer = app.get(KafkaProducer);
    await producer.publish(Resumes, 'k', { key: 'k', seq: 1, pad: '' });
    await waitFor('the first record', () => handled.includes(1));
    await producer.publish(Resumes, 'k', { key: 'k', seq: 2, pad: BIG });
    await waitFor('the consumer to crash', () => app.get(KafkaConsumerFactory).crashedGroups().length > 0);
    // Published while the consumer is down (its restart is 3 s away).
    await producer.publishBatch(Resumes, [
      { key: 'k', value: { key: 'k', seq: 3, pad: '' } },
      { key: 'k', value: { key: 'k', seq: 4, pad: '' } },
    ]);
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: deadLetterTopicName(Resumes.name), configEntries: [{ name: 'max.message.bytes', value: '1048588' }] }],
    });
    await waitFor('the restarted consumer to read what was published while it was down', () => handled.includes(4), 60_000);
    await producer.publish(Resumes, 'k', { key: 'k', seq: 5, pad: '' });
    await waitFor('the next record', () => handled.includes(5));
    expect(handled).toEqual([1, 3, 4, 5]);
  });

  it('fails liveness once its restarts are spent', async () => {
    const app = await start({ attempts: 1, initialDelayMs: 100, maxDelayMs: 100 });
    const handle = await app.get(KafkaConsumerFactory).consume({
      groupId: `test-${run}-gives-up`,
      topics: [GivesUp],
      fromBeginning: true,
      handler: () => Promise.reject(new NonRetriableError('refused')),
    });
    handles.push(handle);
    await handle.ready;
    await app.get(KafkaProducer).publish(GivesUp, 'k', { key: 'k', seq: 1, pad: BIG });
    await waitFor('liveness to fail', async () => !(await passes(app, 'live')), 60_000);
    await expect(check(app, 'live')).rejects.toThrow(`test-${run}-gives-up`);
  });
});
