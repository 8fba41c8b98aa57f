import { randomBytes, randomUUID } from 'node:crypto';
import { Partitioners, type PartitionerArgs } from 'kafkajs';
import { murmur2, partitionOf } from './partitioner';

describe('partitionOf', () => {
  // kafkajs's DefaultPartitioner is what the Kafka transport uses; the RabbitMQ transport must agree key by key.
  const kafkajs = Partitioners.DefaultPartitioner();
  const kafkaPartition = (key: string, partitions: number): number =>
    kafkajs({
      topic: 't',
      partitionMetadata: Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0 })),
      message: { key, value: null },
    } as unknown as PartitionerArgs);

  it('chooses the partition kafkajs chooses for the same key', () => {
    const keys = ['', 'a', 'ab', 'abc', 'abcd', 'é', ...Array.from({ length: 500 }, () => randomUUID()), ...Array.from({ length: 200 }, () => randomBytes(7).toString('hex'))];
    for (const partitions of [1, 3, 6, 12]) {
      for (const key of keys) expect([key, partitionOf(key, partitions)]).toEqual([key, kafkaPartition(key, partitions)]);
    }
  });

  it('matches the Java client on a known vector', () => {
    // org.apache.kafka.common.utils.Utils.murmur2("21".getBytes()) == -973932308
    expect(murmur2(Buffer.from('21'))).toBe(-973932308);
  });
});
