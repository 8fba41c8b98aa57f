import { z } from 'zod';
import { defineTopic } from '@chat/contracts';
import { type KafkaProducer, type OutgoingRecord } from './kafka.producer';
import { PartitionOutbox } from './partition-outbox';

const Topic = defineTopic({ name: 'test.outbox.record.v1', partitions: 3, key: 'id', schema: z.object({ n: z.number() }), description: 'spec' });
type Rec = OutgoingRecord<typeof Topic>;

/** A producer whose requests fail while `failing` is set, recording what reached the broker. */
class FlakyProducer {
  failing = 0;
  readonly requests: number[][] = [];
  private release: (() => void) | undefined;
  hold = false;

  publishBatch(_topic: unknown, records: readonly Rec[]): Promise<void> {
    if (this.failing > 0) {
      this.failing--;
      return Promise.reject(new Error('broker away'));
    }
    const sent = records.map((r) => r.value.n);
    if (!this.hold) {
      this.requests.push(sent);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.release = () => {
        this.requests.push(sent);
        resolve();
      };
    });
  }

  releaseOne(): void {
    this.hold = false;
    this.release?.();
  }
}

const noSleep = (): Promise<void> => Promise.resolve();

describe('PartitionOutbox', () => {
  it('sends what queued up behind a request in flight in one request, in order, to its partition', async () => {
    const producer = new FlakyProducer();
    producer.hold = true;
    const outbox = new PartitionOutbox(producer as unknown as KafkaProducer, Topic, 2, {}, noSleep);
    const done = [1, 2, 3].map((n) => outbox.push({ key: 'k', value: { n } }));
    await Promise.resolve();
    producer.releaseOne();
    await Promise.all(done);
    expect(producer.requests).toEqual([[1], [2, 3]]);
  });

  it('retries a failed request before anything pushed after it, so the partition keeps its order', async () => {
    const producer = new FlakyProducer();
    producer.failing = 3;
    const outbox = new PartitionOutbox(producer as unknown as KafkaProducer, Topic, 0, {}, noSleep);
    const first = outbox.push({ key: 'k', value: { n: 1 } });
    const second = outbox.push({ key: 'k', value: { n: 2 } });
    await Promise.all([first, second]);
    expect(producer.requests.flat()).toEqual([1, 2]);
  });

  it('abandons what is queued once closed (the partition moved on)', async () => {
    const producer = new FlakyProducer();
    producer.hold = true;
    const outbox = new PartitionOutbox(producer as unknown as KafkaProducer, Topic, 0, {}, noSleep);
    const settled: number[] = [];
    void outbox.push({ key: 'k', value: { n: 1 } }).then(() => settled.push(1));
    void outbox.push({ key: 'k', value: { n: 2 } }).then(() => settled.push(2));
    outbox.close();
    void outbox.push({ key: 'k', value: { n: 3 } }).then(() => settled.push(3));
    producer.releaseOne();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(settled).toEqual([]);
    expect(producer.requests).toEqual([[1]]);
  });
});
