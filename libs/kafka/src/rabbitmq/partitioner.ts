// The partition of a key, exactly as Kafka's default partitioner (the Java client's, and kafkajs's
// DefaultPartitioner) computes it: murmur2 of the key's UTF-8 bytes, made positive, modulo the
// partition count. A channel therefore lands on the same partition index on either bus, so
// co-partitioned topics stay co-partitioned and a switch of bus keeps every key's partition.

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** Kafka's murmur2 (32-bit arithmetic; Math.imul keeps the low 32 bits as Java's int does). */
export function murmur2(key: Buffer): number {
  const length = key.length;
  let h = (SEED ^ length) | 0;
  const blocks = Math.floor(length / 4);
  for (let i = 0; i < blocks; i++) {
    const o = i * 4;
    let k = (key[o] & 0xff) | ((key[o + 1] & 0xff) << 8) | ((key[o + 2] & 0xff) << 16) | ((key[o + 3] & 0xff) << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }
  // The Java switch falls through from 3 to 1: xor in the tail bytes, then one multiply.
  const tail = length & ~3;
  const rest = length % 4;
  if (rest >= 3) h ^= (key[tail + 2] & 0xff) << 16;
  if (rest >= 2) h ^= (key[tail + 1] & 0xff) << 8;
  if (rest >= 1) {
    h ^= key[tail] & 0xff;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

export function partitionOf(key: string, partitions: number): number {
  return (murmur2(Buffer.from(key, 'utf8')) & 0x7fffffff) % partitions;
}
