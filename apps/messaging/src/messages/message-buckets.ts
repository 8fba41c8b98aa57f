// Messages live in Cassandra partitions of BUCKET_SIZE consecutive seqs: (channel_id, bucket)
// with bucket = floor(seq / size). The mapping is a pure function of seq, so "the row for seq N"
// has exactly one place, which is what lets an `INSERT ... IF NOT EXISTS` fence a seq.
import { Inject, Injectable } from '@nestjs/common';

export const MESSAGE_BUCKET_SIZE = Symbol('MESSAGE_BUCKET_SIZE');

@Injectable()
export class MessageBuckets {
  constructor(@Inject(MESSAGE_BUCKET_SIZE) readonly size: number) {
    if (!Number.isInteger(size) || size < 2) throw new Error(`message bucket size must be an integer >= 2 (got ${size})`);
  }

  of(seq: number): number {
    return Math.floor(seq / this.size);
  }

  /** Highest seq a bucket can hold. */
  lastSeqOf(bucket: number): number {
    return (bucket + 1) * this.size - 1;
  }

  firstSeqOf(bucket: number): number {
    return bucket * this.size;
  }

  /** The buckets covering seqs from..to (inclusive), each with the part of the range it holds, ascending. */
  spans(from: number, to: number): { bucket: number; from: number; to: number }[] {
    const spans: { bucket: number; from: number; to: number }[] = [];
    for (let bucket = this.of(from); from <= to && bucket <= this.of(to); bucket++) {
      spans.push({ bucket, from: Math.max(from, this.firstSeqOf(bucket)), to: Math.min(to, this.lastSeqOf(bucket)) });
    }
    return spans;
  }
}
