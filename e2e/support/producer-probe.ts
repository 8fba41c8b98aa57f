// A bare producer of the bus library, watched while brokers come and go: every few milliseconds
// one request carrying a numbered record for every partition of its own topic (so each request
// spans every broker that leads a partition, like the sequencers' and the store's appends taken
// together), awaited before the next. Afterwards each partition is read back: every record whose
// request was acknowledged must be there. A partition whose leader moved during a request is
// where kafkajs's own produce retry lost records (kafkajs#1303): it resent only to brokers that
// had not answered yet, and reported the request stored.
import { Global, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { defineTopic } from '@chat/contracts';
import { KafkaModule, KafkaProducer } from '@chat/kafka';
import { ReadinessRegistry } from '@chat/service-kit';
import { sleep } from '@chat/testing';
import { Kafka, logLevel } from 'kafkajs';
import { z } from 'zod';

const PARTITIONS = 12;
const ProbeTopic = defineTopic({
  name: 'test.failover.producer-probe.v1',
  partitions: PARTITIONS,
  key: 'key',
  schema: z.object({ key: z.string(), n: z.number().int() }),
  description: 'failover tier: records numbered per request, read back after the fault',
});

@Global()
@Module({ providers: [ReadinessRegistry], exports: [ReadinessRegistry] })
class ProbeReadinessModule {}

export interface ProbeCounts {
  requests: number;
  acknowledged: number;
  failed: number;
  /** Records of acknowledged requests not found in their partition. */
  missing: number;
}

export class ProducerProbe {
  private running = false;
  private loop: Promise<void> | undefined;
  /** Request numbers acknowledged (all partitions' records of that request stored). */
  private readonly acked: number[] = [];
  private requests = 0;
  private failed = 0;

  private constructor(
    private readonly moduleRef: TestingModule,
    private readonly brokers: string[],
    private readonly topic: string,
  ) {}

  static async start(brokers: string[], topicPrefix: string): Promise<ProducerProbe> {
    const moduleRef = await Test.createTestingModule({
      imports: [ProbeReadinessModule, KafkaModule.forRoot({ brokers, clientId: `${topicPrefix}producer-probe`, topicPrefix, replicationFactor: 3, topics: [ProbeTopic] })],
    }).compile();
    await moduleRef.init();
    const probe = new ProducerProbe(moduleRef, brokers, `${topicPrefix}${ProbeTopic.name}`);
    probe.running = true;
    probe.loop = probe.run(moduleRef.get(KafkaProducer));
    return probe;
  }

  private async run(producer: KafkaProducer): Promise<void> {
    while (this.running) {
      const n = this.requests++;
      const records = Array.from({ length: PARTITIONS }, (_, partition) => ({ key: `p${partition}`, partition, value: { key: `p${partition}`, n } }));
      try {
        await producer.publishBatch(ProbeTopic, records);
        this.acked.push(n);
      } catch {
        // Not acknowledged: its records may or may not be stored; only acknowledged ones are checked.
        this.failed++;
      }
      await sleep(10);
    }
  }

  /** Stops producing, reads every partition back and counts what is missing. */
  async stop(): Promise<ProbeCounts> {
    this.running = false;
    await this.loop;
    await this.moduleRef.close();
    const seen = await this.readBack();
    let missing = 0;
    for (const n of this.acked) for (let p = 0; p < PARTITIONS; p++) if (!seen[p]?.has(n)) missing++;
    return { requests: this.requests, acknowledged: this.acked.length, failed: this.failed, missing };
  }

  private async readBack(): Promise<Set<number>[]> {
    const kafka = new Kafka({ brokers: this.brokers, clientId: 'producer-probe-reader', logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const ends = new Map((await admin.fetchTopicOffsets(this.topic)).map((o) => [o.partition, BigInt(o.high)]));
    await admin.disconnect();
    const seen = Array.from({ length: PARTITIONS }, () => new Set<number>());
    const consumer = kafka.consumer({ groupId: `${this.topic}.reader` });
    await consumer.connect();
    await consumer.subscribe({ topics: [this.topic], fromBeginning: true });
    const remaining = new Set([...ends].filter(([, end]) => end > 0n).map(([p]) => p));
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (done = resolve));
    if (remaining.size === 0) done();
    await consumer.run({
      eachMessage: ({ partition, message }) => {
        const { n } = JSON.parse(message.value?.toString() ?? '{}') as { n: number };
        seen[partition]?.add(n);
        if (BigInt(message.offset) + 1n >= (ends.get(partition) ?? 0n)) {
          remaining.delete(partition);
          if (remaining.size === 0) done();
        }
        return Promise.resolve();
      },
    });
    await Promise.race([finished, sleep(60_000)]);
    await consumer.disconnect();
    return seen;
  }
}

export function describeProbe(c: ProbeCounts): string {
  return `producer probe: ${c.requests} requests of ${PARTITIONS} partitions (acknowledged ${c.acknowledged}, failed ${c.failed}); records of acknowledged requests missing: ${c.missing}`;
}
