// The client-independent part of a pipelined consumer (KafkaConsumerFactory.consumePipeline):
// validates each fetched record (an invalid one is dead-lettered and counts as finished), hands
// the valid ones to the pipeline, and tracks per partition which offset may be committed. It
// never waits for a record's work, so one slow record holds neither the fetch loop nor other
// partitions; a rejoin starts a new generation and forgets the old one's offsets (those records
// are fetched again from the last commit).
import { Logger } from '@nestjs/common';
import { type TopicDefinition } from '@chat/contracts';
import { type AssignedPartition, type PartitionPipeline, type RecordOf } from './consume.options';
import { type DeadLetterSink, describeError, type RawMessage } from './dead-letter';
import { OffsetTracker } from './offset-tracker';
import { decodeRecord } from './partition.processor';

export interface CommitRequest {
  topic: string;
  partition: number;
  offset: string;
}

export class PipelineRunner<T extends TopicDefinition> {
  private readonly logger = new Logger('KafkaPipeline');
  private generation = 0;
  private trackers = new Map<string, OffsetTracker>();

  constructor(
    private readonly groupId: string,
    /** Definitions by the topic's name in the cluster (prefix included). */
    private readonly topics: ReadonlyMap<string, T>,
    private readonly pipeline: PartitionPipeline<T>,
    private readonly deadLetters: DeadLetterSink,
  ) {}

  /** The member (re)joined with this assignment (physical topic names). */
  joined(assignment: Readonly<Record<string, readonly number[]>>): void {
    this.generation++;
    this.trackers = new Map();
    const partitions: AssignedPartition<T>[] = [];
    for (const [topic, numbers] of Object.entries(assignment)) {
      const definition = this.topics.get(topic);
      if (definition) for (const partition of numbers) partitions.push({ definition, partition });
    }
    this.pipeline.assigned(partitions, this.generation);
  }

  async batch(topic: string, partition: number, messages: readonly RawMessage[]): Promise<void> {
    const definition = this.topics.get(topic);
    if (!definition) throw new Error(`received a record of ${topic}, which this consumer did not subscribe to`);
    const generation = this.generation;
    const key = `${topic}/${partition}`;
    let tracker = this.trackers.get(key);
    if (!tracker) this.trackers.set(key, (tracker = new OffsetTracker()));
    const valid: RecordOf<T>[] = [];
    const finishers: (() => void)[] = [];
    for (const message of messages) {
      const finish = tracker.track(message.offset);
      const decoded = decodeRecord(definition, { topic, partition }, message);
      if (decoded.ok) {
        valid.push(decoded.record);
        finishers.push(finish);
        continue;
      }
      this.logger.warn({ topic, partition, offset: message.offset, reason: decoded.reason, error: decoded.error }, 'invalid record dead-lettered');
      // Only a record that can never succeed is parked; if parking fails, the batch fails and is fetched again.
      await this.deadLetters.send({ topic, partition, message, groupId: this.groupId, reason: decoded.reason, error: decoded.error, attempts: 0 });
      finish();
    }
    if (valid.length === 0) return;
    const done = await this.pipeline.take(valid, generation);
    done.forEach((promise, i) => {
      promise.then(finishers[i], (error: unknown) =>
        this.logger.error({ topic, partition, offset: valid[i].offset, error: describeError(error) }, 'a pipelined record failed; its offset stays uncommitted'),
      );
    });
  }

  /** Offsets that moved since the last call, for the client to commit. */
  commits(): CommitRequest[] {
    const requests: CommitRequest[] = [];
    for (const [key, tracker] of this.trackers) {
      const offset = tracker.takeCommit();
      if (offset === undefined) continue;
      const slash = key.lastIndexOf('/');
      requests.push({ topic: key.slice(0, slash), partition: Number(key.slice(slash + 1)), offset });
    }
    return requests;
  }
}
