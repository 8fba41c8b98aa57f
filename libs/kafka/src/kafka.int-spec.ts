// Against the real broker (`npm run infra:up`): every topic and group name carries this run's
// random id, and everything created is deleted afterwards.
import { Logger } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { deadLetterTopicName, defineTopic } from '@chat/contracts';
import { ReadinessRegistry, withTimeout } from '@chat/service-kit';
import { freePort, TcpProxy, uniqueName, waitFor } from '@chat/testing';
import { type Admin, type Consumer, type IHeaders, type Producer } from 'kafkajs';
import { z } from 'zod';
import {
  type ConsumerHandle,
  DEAD_LETTER_HEADERS,
  InvalidPayloadError,
  KafkaAdmin,
  KafkaConsumerFactory,
  KafkaModule,
  type KafkaOptions,
  KafkaProducer,
} from './index';
import { rawKafka, TEST_BROKERS, TestReadinessModule } from './testing/kafka-test.env';

jest.setTimeout(120_000);

const run = uniqueName('');
const schema = z.object({ key: z.string(), seq: z.number().int().nonnegative() });
const topic = (event: string, partitions: number) =>
  defineTopic({ name: `test.kafka-${run}.${event}.v1`, partitions, key: 'key', schema, description: `integration spec: ${event}` });

const Ordered = topic('ordered', 3);
const Poison = topic('poison', 1);
const Retried = topic('retried', 1);
const Failing = topic('failing', 1);
const Draining = topic('draining', 1);
const Broadcast = topic('broadcast', 2);
const Raced = topic('raced', 4);
const Prefixed = topic('prefixed', 2);
const DECLARED = [Ordered, Poison, Retried, Failing, Draining, Broadcast];
const PREFIX = `run-${run}.`;
const ALL = [...DECLARED, Raced, { name: `${PREFIX}${Prefixed.name}` }];
const group = (name: string) => `test-${run}-${name}`;

interface Letter {
  value: Buffer | null;
  headers: Record<string, string>;
}

async function startModule(clientId: string, options: Partial<KafkaOptions> = {}): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      TestReadinessModule,
      KafkaModule.forRoot({
        brokers: TEST_BROKERS,
        clientId,
        handlerRetry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 100 },
        ...options,
      }),
    ],
  }).compile();
  return moduleRef.init();
}

function headersOf(headers: IHeaders | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, String(Array.isArray(v) ? v[v.length - 1] : v)]));
}

describe('@chat/kafka against a real broker', () => {
  let app: TestingModule;
  let producer: KafkaProducer;
  let consumers: KafkaConsumerFactory;
  let admin: Admin;
  let raw: Producer;
  let dlqReader: Consumer;
  const letters = new Map<string, Letter[]>();
  const handles: ConsumerHandle[] = [];

  const consume: KafkaConsumerFactory['consume'] = async (options) => {
    const handle = await consumers.consume(options);
    handles.push(handle);
    return handle;
  };
  const lettersOf = (t: { name: string }) => letters.get(deadLetterTopicName(t.name)) ?? [];
  const committed = async (groupId: string, t: { name: string }) => {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [t.name] });
    return entry?.partitions.map((p) => p.offset);
  };

  beforeAll(async () => {
    Logger.overrideLogger(['error', 'warn']);
    app = await startModule(`test-${run}-a`, { topics: DECLARED });
    producer = app.get(KafkaProducer);
    consumers = app.get(KafkaConsumerFactory);
    const kafka = rawKafka(`test-${run}-raw`);
    admin = kafka.admin();
    await admin.connect();
    raw = kafka.producer({ allowAutoTopicCreation: false });
    await raw.connect();
    dlqReader = kafka.consumer({ groupId: group('dlq-reader'), maxWaitTimeInMs: 100 });
    await dlqReader.connect();
    await dlqReader.subscribe({ topics: DECLARED.map((t) => deadLetterTopicName(t.name)), fromBeginning: true });
    await dlqReader.run({
      eachMessage: ({ topic: name, message }) => {
        letters.set(name, [...(letters.get(name) ?? []), { value: message.value, headers: headersOf(message.headers) }]);
        return Promise.resolve();
      },
    });
  });

  afterAll(async () => {
    await Promise.allSettled(handles.map((h) => h.stop()));
    await dlqReader?.disconnect();
    await raw?.disconnect();
    await app?.close();
    if (admin) {
      const names = ALL.flatMap((t) => [t.name, deadLetterTopicName(t.name)]);
      const existing = new Set(await admin.listTopics());
      await admin.deleteTopics({ topics: names.filter((n) => existing.has(n)) });
      const { groups } = await admin.listGroups();
      const ours = groups.map((g) => g.groupId).filter((id) => id.startsWith(`test-${run}-`) || id.startsWith(PREFIX));
      if (ours.length > 0) await admin.deleteGroups(ours).catch(() => undefined);
      await admin.disconnect();
    }
  });

  it('creates the declared topics and their dead-letter topics with the declared partition counts', async () => {
    const { topics } = await admin.fetchTopicMetadata({ topics: DECLARED.flatMap((t) => [t.name, deadLetterTopicName(t.name)]) });
    const counts = Object.fromEntries(topics.map((t) => [t.name, t.partitions.length]));
    for (const t of DECLARED) {
      expect(counts[t.name]).toBe(t.partitions);
      expect(counts[deadLetterTopicName(t.name)]).toBe(t.partitions);
    }
    expect(await app.get(KafkaAdmin).describeTopics([Ordered])).toEqual([{ name: Ordered.name, partitions: 3 }]);
  });

  it('lets two processes ensure the same new topic at once', async () => {
    const other = await startModule(`test-${run}-b`);
    try {
      await Promise.all([app.get(KafkaAdmin).ensureTopics([Raced]), other.get(KafkaAdmin).ensureTopics([Raced])]);
      await app.get(KafkaAdmin).ensureTopics([Raced]);
    } finally {
      await other.close();
    }
    const { topics } = await admin.fetchTopicMetadata({ topics: [Raced.name, deadLetterTopicName(Raced.name)] });
    expect(topics.map((t) => t.partitions.length)).toEqual([4, 4]);
  });

  it('refuses to publish a value its schema rejects', async () => {
    await expect(producer.publish(Ordered, 'k', { key: 'k', seq: -1 })).rejects.toBeInstanceOf(InvalidPayloadError);
    await expect(producer.publishBatch(Ordered, [{ key: 'k', value: { key: 'k', seq: 1 } }, { key: 'k', value: { key: 'k' } as never }])).rejects.toThrow(
      /seq/,
    );
  });

  it('delivers every record, in order per key, across partitions consumed concurrently', async () => {
    const keys = Array.from({ length: 12 }, (_, i) => `key-${i}`);
    const rounds = 25;
    const received = new Map<string, number[]>();
    const partitionOfKey = new Map<string, Set<number>>();
    await consume({
      groupId: group('ordered'),
      topics: [Ordered],
      fromBeginning: true,
      partitionsConsumedConcurrently: 3,
      handler: (record) => {
        received.set(record.value.key, [...(received.get(record.value.key) ?? []), record.value.seq]);
        partitionOfKey.set(record.value.key, (partitionOfKey.get(record.value.key) ?? new Set()).add(record.partition));
        expect(record.key).toBe(record.value.key);
        return Promise.resolve();
      },
    });
    const first = await producer.publish(Ordered, keys[0], { key: keys[0], seq: 0 }, { 'x-test': 'single' });
    expect(first).toMatchObject({ topic: Ordered.name });
    expect(Number(first.offset)).toBeGreaterThanOrEqual(0);
    await producer.publishBatch(
      Ordered,
      keys.slice(1).map((key) => ({ key, value: { key, seq: 0 } })),
    );
    for (let seq = 1; seq < rounds; seq++) await producer.publishBatch(Ordered, keys.map((key) => ({ key, value: { key, seq } })));

    await waitFor('all records', () => [...received.values()].reduce((n, seqs) => n + seqs.length, 0) >= keys.length * rounds);
    const inOrder = Array.from({ length: rounds }, (_, i) => i);
    for (const key of keys) {
      expect(received.get(key)).toEqual(inOrder);
      expect(partitionOfKey.get(key)?.size).toBe(1);
    }
    expect(new Set([...partitionOfKey.values()].flatMap((s) => [...s])).size).toBeGreaterThan(1);
  });

  it('parks values that are not JSON or fail the schema in the DLQ with reason headers, and keeps going', async () => {
    const handled: number[] = [];
    const handle = await consume({
      groupId: group('poison'),
      topics: [Poison],
      fromBeginning: true,
      handler: (record) => Promise.resolve(void handled.push(record.value.seq)),
    });
    const garbage = Buffer.from([0xde, 0xad, 0xbe, 0xef]);
    await raw.send({
      topic: Poison.name,
      messages: [
        { key: 'p', value: garbage, headers: { origin: 'raw' } },
        { key: 'p', value: JSON.stringify({ key: 'p', seq: 'one' }) },
      ],
    });
    await producer.publish(Poison, 'p', { key: 'p', seq: 1 });

    await waitFor('the valid record', () => handled.includes(1));
    const parked = await waitFor('two dead letters', () => lettersOf(Poison).length >= 2 && lettersOf(Poison));
    expect(handled).toEqual([1]);
    expect(parked.map((l) => l.headers[DEAD_LETTER_HEADERS.reason])).toEqual(['not-json', 'schema-violation']);
    expect(parked.map((l) => l.headers[DEAD_LETTER_HEADERS.offset])).toEqual(['0', '1']);
    for (const letter of parked) {
      expect(letter.headers[DEAD_LETTER_HEADERS.topic]).toBe(Poison.name);
      expect(letter.headers[DEAD_LETTER_HEADERS.partition]).toBe('0');
      expect(letter.headers[DEAD_LETTER_HEADERS.groupId]).toBe(group('poison'));
      expect(letter.headers[DEAD_LETTER_HEADERS.error]).toBeTruthy();
    }
    expect(parked[0].value).toEqual(garbage);
    expect(parked[0].headers['origin']).toBe('raw');
    expect(parked[1].headers[DEAD_LETTER_HEADERS.error]).toMatch(/seq/);

    await handle.stop();
    expect(await committed(group('poison'), Poison)).toEqual(['3']);
  });

  it('retries a failing handler and commits the offset only after it succeeded', async () => {
    let attempts = 0;
    const handled: number[] = [];
    const first = await consume({
      groupId: group('retried'),
      topics: [Retried],
      fromBeginning: true,
      handler: (record) => {
        if (record.value.seq === 1 && ++attempts <= 2) return Promise.reject(new Error(`flaky attempt ${attempts}`));
        handled.push(record.value.seq);
        return Promise.resolve();
      },
    });
    await producer.publish(Retried, 'r', { key: 'r', seq: 1 });
    await waitFor('the retried record', () => handled.includes(1));
    expect(attempts).toBe(3);
    await first.stop();
    expect(await committed(group('retried'), Retried)).toEqual(['1']);
    expect(lettersOf(Retried)).toEqual([]);

    // Same group again, reading "from the beginning" for a group without commits: it must
    // resume after the handled record, not replay it.
    const again: number[] = [];
    await consume({
      groupId: group('retried'),
      topics: [Retried],
      fromBeginning: true,
      handler: (record) => Promise.resolve(void again.push(record.value.seq)),
    });
    await producer.publish(Retried, 'r', { key: 'r', seq: 2 });
    await waitFor('the next record', () => again.includes(2));
    expect(again).toEqual([2]);
  });

  it('dead-letters a record whose handler keeps failing, with the error, and moves on', async () => {
    const handled: number[] = [];
    await consume({
      groupId: group('failing'),
      topics: [Failing],
      fromBeginning: true,
      handler: (record) => {
        if (record.value.seq === 1) return Promise.reject(new Error('handler is broken for seq 1'));
        handled.push(record.value.seq);
        return Promise.resolve();
      },
    });
    await producer.publishBatch(Failing, [1, 2].map((seq) => ({ key: 'f', value: { key: 'f', seq } })));
    await waitFor('the record after the failing one', () => handled.includes(2));
    const [letter] = await waitFor('the dead letter', () => lettersOf(Failing).length > 0 && lettersOf(Failing));
    expect(letter.headers).toMatchObject({
      [DEAD_LETTER_HEADERS.reason]: 'handler-failed',
      [DEAD_LETTER_HEADERS.attempts]: '3',
      [DEAD_LETTER_HEADERS.offset]: '0',
      [DEAD_LETTER_HEADERS.error]: 'Error: handler is broken for seq 1',
    });
    expect(JSON.parse(letter.value!.toString())).toEqual({ key: 'f', seq: 1 });
  });

  it('finishes the record in hand when stopped, commits it, and leaves the rest to the next consumer', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const handle = await consume({
      groupId: group('draining'),
      topics: [Draining],
      fromBeginning: true,
      handler: async (record) => {
        started.push(record.value.seq);
        await new Promise((resolve) => setTimeout(resolve, 300));
        finished.push(record.value.seq);
      },
    });
    await producer.publishBatch(Draining, [0, 1, 2, 3, 4, 5].map((seq) => ({ key: 'd', value: { key: 'd', seq } })));
    await waitFor('a record in hand', () => started.length > 0);
    await handle.stop();
    expect(finished).toEqual(started);
    expect(finished.length).toBeLessThan(6);
    expect(await committed(group('draining'), Draining)).toEqual([String(finished.length)]);

    const rest: number[] = [];
    await consume({
      groupId: group('draining'),
      topics: [Draining],
      fromBeginning: true,
      handler: (record) => Promise.resolve(void rest.push(record.value.seq)),
    });
    await waitFor('the rest', () => finished.length + rest.length >= 6);
    expect([...finished, ...rest]).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('broadcasts every record to every instance, from the latest offsets, and deletes the groups on stop', async () => {
    await producer.publish(Broadcast, 'b', { key: 'b', seq: 0 });
    const seen = [new Array<number>(), new Array<number>()];
    const instances = await Promise.all(
      seen.map((list) =>
        consume({
          groupId: group('gateway'),
          topics: [Broadcast],
          broadcast: true,
          handler: (record) => Promise.resolve(void list.push(record.value.seq)),
        }),
      ),
    );
    await Promise.all(instances.map((i) => i.ready));
    expect(instances[0].groupId).not.toBe(instances[1].groupId);
    expect(instances[0].groupId.startsWith(`${group('gateway')}.test-${run}-a.`)).toBe(true);

    await producer.publishBatch(Broadcast, [1, 2, 3, 4, 5].map((seq) => ({ key: `b${seq}`, value: { key: `b${seq}`, seq } })));
    await waitFor('both instances to see all', () => seen.every((list) => list.length >= 5));
    for (const list of seen) expect([...list].sort()).toEqual([1, 2, 3, 4, 5]);

    await Promise.all(instances.map((i) => i.stop()));
    const { groups } = await admin.listGroups();
    const left = groups.map((g) => g.groupId).filter((id) => instances.some((i) => i.groupId === id));
    expect(left).toEqual([]);
  });

  it('prefixes every topic and group name with the configured prefix, dead-letter topics included', async () => {
    const prefixed = await startModule(`test-${run}-prefixed`, { topicPrefix: PREFIX, topics: [Prefixed] });
    const physical = `${PREFIX}${Prefixed.name}`;
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [physical, deadLetterTopicName(physical)] });
      expect(topics.map((t) => t.partitions.length)).toEqual([2, 2]);
      const seen: { topic: string; seq: number }[] = [];
      const handle = await prefixed.get(KafkaConsumerFactory).consume({
        groupId: group('prefixed'),
        topics: [Prefixed],
        fromBeginning: true,
        handler: (record) => Promise.resolve(void seen.push({ topic: record.topic, seq: record.value.seq })),
      });
      expect(handle.groupId).toBe(`${PREFIX}${group('prefixed')}`);
      await raw.send({ topic: physical, messages: [{ key: 'x', value: 'not json' }] });
      await prefixed.get(KafkaProducer).publish(Prefixed, 'x', { key: 'x', seq: 7 });
      await waitFor('the prefixed record', () => seen.length > 0);
      expect(seen).toEqual([{ topic: physical, seq: 7 }]);
      const { groups } = await admin.listGroups();
      expect(groups.map((g) => g.groupId)).toContain(`${PREFIX}${group('prefixed')}`);
      const [dlq] = await admin.fetchTopicOffsets(deadLetterTopicName(physical)).then((offsets) => offsets.filter((o) => o.high !== '0'));
      expect(dlq).toBeDefined();
      await handle.stop();
    } finally {
      await prefixed.close();
    }
  });

  it('refuses a broadcast consumer that asks to start from the beginning', async () => {
    await expect(
      consumers.consume({ groupId: group('bad'), topics: [Broadcast], broadcast: true, fromBeginning: true, handler: () => Promise.resolve() }),
    ).rejects.toThrow(/latest/);
  });

  it('registers a `kafka` readiness check that passes against the broker', async () => {
    const registry = app.get(ReadinessRegistry);
    const check = registry.list().find((c) => c.name === 'kafka');
    expect(check).toBeDefined();
    await expect(check!.check()).resolves.toBeUndefined();
  });

  it('fails readiness within its timeout when no broker is reachable', async () => {
    const unreachable = await startModule(`test-${run}-unreachable`, { brokers: ['127.0.0.1:1'], readinessTimeoutMs: 1_000 });
    try {
      const check = unreachable.get(ReadinessRegistry).list().find((c) => c.name === 'kafka')!;
      // The outer deadline only guards the spec; the check must reject on its own, well before it.
      const outcome = await withTimeout(check.check(), 5_000, 'outer guard').then(
        () => 'resolved',
        (error: Error) => error.message,
      );
      expect(outcome).not.toBe('resolved');
      expect(outcome).not.toMatch(/outer guard/);
    } finally {
      await unreachable.close();
    }
  });

  it('recovers readiness without a restart once the brokers become reachable', async () => {
    // A proxy that is not listening yet stands for a cluster that is down. (Only the bootstrap
    // goes through it: afterwards kafkajs talks to the advertised listener directly, so the
    // opposite transition cannot be staged this way; the unit spec covers it with a fake.)
    const port = await freePort();
    const [host, target] = TEST_BROKERS[0].split(':') as [string, string];
    const proxy = new TcpProxy(port, host, Number(target));
    const later = await startModule(`test-${run}-later`, { brokers: [`127.0.0.1:${port}`], readinessTimeoutMs: 1_000 });
    try {
      const check = later.get(ReadinessRegistry).list().find((c) => c.name === 'kafka')!;
      await expect(check.check()).rejects.toThrow();
      await expect(check.check()).rejects.toThrow();
      await proxy.up();
      await waitFor('readiness to recover', () => check.check().then(() => true), 15_000, 200);
    } finally {
      await later.close();
      await proxy.down();
    }
  });
});
