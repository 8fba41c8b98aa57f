import { Logger } from '@nestjs/common';
import { defineTopic } from '@chat/contracts';
import { z } from 'zod';
import { type RecordOf } from './consume.options';
import { type DeadLetter, type DeadLetterSink, type RawMessage } from './dead-letter';
import { type BatchControls, type Delivery, PartitionProcessor } from './partition.processor';
import { NonRetriableError } from './retry.policy';

const Topic = defineTopic({
  name: 'test.processor.event.v1',
  partitions: 3,
  key: 'id',
  schema: z.object({ id: z.string(), n: z.number() }),
  description: 'processor spec',
});
type Rec = RecordOf<typeof Topic>;

beforeAll(() => {
  Logger.overrideLogger(false);
});

class CollectingSink implements DeadLetterSink {
  readonly letters: DeadLetter[] = [];
  failing = false;
  send(letter: DeadLetter): Promise<void> {
    if (this.failing) return Promise.reject(new Error('dlq unavailable'));
    this.letters.push(letter);
    return Promise.resolve();
  }
}

class FakeControls implements BatchControls {
  readonly resolved: string[] = [];
  running = true;
  stale = false;
  commits = 0;
  resolveOffset(offset: string): void {
    this.resolved.push(offset);
  }
  commitOffsetsIfNecessary(): Promise<void> {
    this.commits++;
    return Promise.resolve();
  }
  heartbeats = 0;
  heartbeat(): Promise<void> {
    this.heartbeats++;
    return Promise.resolve();
  }
  isRunning(): boolean {
    return this.running;
  }
  isStale(): boolean {
    return this.stale;
  }
  pauses = 0;
  resumes = 0;
  paused = false;
  readonly pause = (): (() => void) => {
    this.pauses++;
    this.paused = true;
    return () => {
      this.resumes++;
      this.paused = false;
    };
  };
  /** Settles once the partition was resumed (the client would fetch again from the last resolved offset). */
  async resumed(): Promise<void> {
    while (this.paused) await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

function message(offset: number, value: string | null, key = 'k'): RawMessage {
  return { offset: String(offset), key: Buffer.from(key), value: value === null ? null : Buffer.from(value), timestamp: '1700000000000', headers: { h: Buffer.from('v') } };
}
const valid = (offset: number, n = offset) => message(offset, JSON.stringify({ id: 'x', n }));

const metrics = () => {
  const m = { failures: [] as string[], paused: [] as number[] };
  return { ...m, handlerFailed: (topic: string) => m.failures.push(topic), pausedPartitions: (count: number) => m.paused.push(count), seen: m };
};

function processor(delivery: Delivery<typeof Topic>, sink: DeadLetterSink, maxAttempts = Number.POSITIVE_INFINITY, heartbeatEveryMs?: number, observed = metrics()) {
  return new PartitionProcessor({
    ...(heartbeatEveryMs ? { heartbeatEveryMs } : {}),
    groupId: 'g',
    topics: new Map([[Topic.name, Topic]]),
    delivery,
    retry: { maxAttempts, initialDelayMs: 5, maxDelayMs: 10, multiplier: 2 },
    deadLetters: sink,
    metrics: observed,
    random: () => 0.5,
  });
}

/**
 * Plays the client: delivers the partition's records from the last resolved offset, waits out
 * every pause, and delivers again, until every record is resolved (or `rounds` deliveries).
 */
async function deliverUntilResolved(p: PartitionProcessor<typeof Topic>, messages: RawMessage[], controls: FakeControls, rounds = 100): Promise<number> {
  for (let round = 1; round <= rounds; round++) {
    const last = controls.resolved[controls.resolved.length - 1];
    const rest = last === undefined ? messages : messages.filter((m) => Number(m.offset) > Number(last));
    if (rest.length === 0) return round - 1;
    await p.process({ topic: Topic.name, partition: 0, messages: rest }, controls);
    await controls.resumed();
  }
  return rounds;
}

describe('PartitionProcessor, one record at a time', () => {
  it('keeps heartbeating while a slow handler runs, so the member is not evicted from its group', async () => {
    const controls = new FakeControls();
    let during = 0;
    const handler = async () => {
      const before = controls.heartbeats;
      await new Promise((resolve) => setTimeout(resolve, 60));
      during = controls.heartbeats - before;
    };
    await processor({ mode: 'record', handler }, new CollectingSink(), 3, 5).process({ topic: Topic.name, partition: 0, messages: [valid(1)] }, controls);
    expect(during).toBeGreaterThan(0);
    // No heartbeat timer outlives the handler.
    const after = controls.heartbeats;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(controls.heartbeats).toBe(after);
  });

  it('stops after the record in hand when a heartbeat fails (a rebalance began) and rethrows it so the client rejoins', async () => {
    const controls = new FakeControls();
    controls.heartbeat = () => Promise.reject(new Error('The group is rebalancing, so a rejoin is needed'));
    const seen: string[] = [];
    const handler = async (record: Rec) => {
      seen.push(record.offset);
      await new Promise((resolve) => setTimeout(resolve, 30));
    };
    await expect(
      processor({ mode: 'record', handler }, new CollectingSink(), 3, 5).process({ topic: Topic.name, partition: 0, messages: [valid(1), valid(2), valid(3)] }, controls),
    ).rejects.toThrow('rebalancing');
    expect(seen).toEqual(['1']);
    expect(controls.resolved).toEqual(['1']);
  });

  it('hands validated, decoded records over in offset order and resolves each after its handler', async () => {
    const seen: Rec[] = [];
    const controls = new FakeControls();
    const handler = (record: Rec) => {
      expect(controls.resolved).not.toContain(record.offset);
      seen.push(record);
      return Promise.resolve();
    };
    await processor({ mode: 'record', handler }, new CollectingSink()).process(
      { topic: Topic.name, partition: 2, messages: [valid(5), valid(6), valid(7)] },
      controls,
    );
    expect(seen.map((r) => r.value.n)).toEqual([5, 6, 7]);
    expect(seen[0]).toMatchObject({ topic: Topic.name, definition: Topic, partition: 2, offset: '5', key: 'k', headers: { h: 'v' }, timestamp: 1700000000000 });
    expect(controls.resolved).toEqual(['5', '6', '7']);
    // One commit check per batch: a commit round trip per record made busy consumers lag.
    expect(controls.commits).toBe(1);
  });

  it('dead-letters values that are not JSON or fail the schema, and keeps going', async () => {
    const sink = new CollectingSink();
    const controls = new FakeControls();
    const seen: string[] = [];
    await processor({ mode: 'record', handler: (r) => Promise.resolve(void seen.push(r.offset)) }, sink).process(
      { topic: Topic.name, partition: 0, messages: [message(1, 'not json'), message(2, '{"id":1}'), valid(3)] },
      controls,
    );
    expect(seen).toEqual(['3']);
    expect(sink.letters.map((l) => [l.message.offset, l.reason, l.attempts])).toEqual([
      ['1', 'not-json', 0],
      ['2', 'schema-violation', 0],
    ]);
    expect(sink.letters[1].error).toMatch(/id/);
    expect(controls.resolved).toEqual(['1', '2', '3']);
  });

  it('pauses the partition when a handler fails, commits what came before, and leaves the rest unresolved', async () => {
    const controls = new FakeControls();
    const handled: string[] = [];
    const handler = (r: Rec) => {
      handled.push(r.offset);
      return r.offset === '2' ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')) : Promise.resolve();
    };
    const observed = metrics();
    const sink = new CollectingSink();
    await processor({ mode: 'record', handler }, sink, undefined, undefined, observed).process(
      { topic: Topic.name, partition: 0, messages: [valid(1), valid(2), valid(3)] },
      controls,
    );
    expect(handled).toEqual(['1', '2']);
    expect(controls.resolved).toEqual(['1']);
    expect(controls.commits).toBe(1);
    expect(controls.pauses).toBe(1);
    expect(sink.letters).toEqual([]);
    expect(observed.seen.failures).toEqual([Topic.name]);
    expect(observed.seen.paused).toEqual([1]);
    await controls.resumed();
    expect(controls.resumes).toBe(1);
  });

  it('tries the failing record again after each pause for as long as the outage lasts, dead-lettering nothing', async () => {
    const controls = new FakeControls();
    const calls: string[] = [];
    let outage = 25;
    const handler = (r: Rec) => {
      calls.push(r.offset);
      return r.offset === '1' && outage-- > 0 ? Promise.reject(new Error('NoHostAvailableError')) : Promise.resolve();
    };
    const sink = new CollectingSink();
    const p = processor({ mode: 'record', handler }, sink);
    const rounds = await deliverUntilResolved(p, [valid(1), valid(2)], controls);
    expect(rounds).toBe(26);
    expect(sink.letters).toEqual([]);
    expect(calls.filter((o) => o === '2')).toEqual(['2']);
    expect(controls.resolved).toEqual(['1', '2']);
    expect(controls.pauses).toBe(25);
  });

  it('ignores a batch fetched for a partition that is paused', async () => {
    const controls = new FakeControls();
    let calls = 0;
    const p = processor({ mode: 'record', handler: () => (++calls === 1 ? Promise.reject(new Error('down')) : Promise.resolve()) }, new CollectingSink());
    await p.process({ topic: Topic.name, partition: 0, messages: [valid(1)] }, controls);
    await p.process({ topic: Topic.name, partition: 0, messages: [valid(1)] }, controls);
    expect(calls).toBe(1);
    expect(controls.resolved).toEqual([]);
    await controls.resumed();
    await p.process({ topic: Topic.name, partition: 0, messages: [valid(1)] }, controls);
    expect(controls.resolved).toEqual(['1']);
  });

  it('dead-letters a record once a bounded policy is spent, with the error, then moves on', async () => {
    const sink = new CollectingSink();
    const controls = new FakeControls();
    const handled: string[] = [];
    const handler = (r: Rec) => {
      if (r.offset === '1') return Promise.reject(new Error('always broken'));
      handled.push(r.offset);
      return Promise.resolve();
    };
    await deliverUntilResolved(processor({ mode: 'record', handler }, sink, 3), [valid(1), valid(2)], controls);
    expect(sink.letters).toHaveLength(1);
    expect(sink.letters[0]).toMatchObject({ reason: 'handler-failed', attempts: 3, error: 'Error: always broken', groupId: 'g' });
    expect(controls.pauses).toBe(2);
    expect(handled).toEqual(['2']);
    expect(controls.resolved).toEqual(['1', '2']);
  });

  it('dead-letters at once on NonRetriableError, without pausing', async () => {
    const sink = new CollectingSink();
    const controls = new FakeControls();
    let calls = 0;
    const handler = () => {
      calls++;
      return Promise.reject(new NonRetriableError('unknown channel'));
    };
    await processor({ mode: 'record', handler }, sink).process({ topic: Topic.name, partition: 0, messages: [valid(1)] }, controls);
    expect(calls).toBe(1);
    expect(controls.pauses).toBe(0);
    expect(controls.resolved).toEqual(['1']);
    expect(sink.letters[0]).toMatchObject({ attempts: 1, reason: 'handler-failed' });
  });

  it('leaves the record unresolved when dead-lettering fails', async () => {
    const sink = new CollectingSink();
    sink.failing = true;
    const controls = new FakeControls();
    await expect(
      processor({ mode: 'record', handler: () => Promise.resolve() }, sink).process({ topic: Topic.name, partition: 0, messages: [valid(1), message(2, '!')] }, controls),
    ).rejects.toThrow('dlq unavailable');
    expect(controls.resolved).toEqual(['1']);
  });

  it('stops between records when the consumer stops, and leaves a failed record unresolved', async () => {
    const controls = new FakeControls();
    const handled: string[] = [];
    const handler = (r: Rec) => {
      handled.push(r.offset);
      if (r.offset === '2') {
        controls.running = false;
        return Promise.reject(new Error('failing while stopping'));
      }
      return Promise.resolve();
    };
    const sink = new CollectingSink();
    await processor({ mode: 'record', handler }, sink).process({ topic: Topic.name, partition: 0, messages: [valid(1), valid(2), valid(3)] }, controls);
    expect(handled).toEqual(['1', '2']);
    expect(controls.resolved).toEqual(['1']);
    expect(sink.letters).toEqual([]);
  });

  it('drops the rest of a batch made stale by a seek', async () => {
    const controls = new FakeControls();
    const handler = () => {
      controls.stale = true;
      return Promise.resolve();
    };
    await processor({ mode: 'record', handler }, new CollectingSink()).process({ topic: Topic.name, partition: 0, messages: [valid(1), valid(2)] }, controls);
    expect(controls.resolved).toEqual(['1']);
  });

  it('refuses records of a topic it was not given', async () => {
    await expect(
      processor({ mode: 'record', handler: () => Promise.resolve() }, new CollectingSink()).process({ topic: 'other.topic.v1', partition: 0, messages: [valid(1)] }, new FakeControls()),
    ).rejects.toThrow(/other\.topic\.v1/);
  });
});

describe('PartitionProcessor, in groups', () => {
  it('hands valid records over in groups of maxBatchSize, dead-lettering invalid ones', async () => {
    const groups: string[][] = [];
    const sink = new CollectingSink();
    const controls = new FakeControls();
    const handler = (records: readonly Rec[]) => Promise.resolve(void groups.push(records.map((r) => r.offset)));
    await processor({ mode: 'batch', handler, maxBatchSize: 2 }, sink).process(
      { topic: Topic.name, partition: 0, messages: [valid(1), message(2, 'x'), valid(3), valid(4), valid(5)] },
      controls,
    );
    expect(groups).toEqual([['1'], ['3', '4'], ['5']]);
    expect(sink.letters.map((l) => l.message.offset)).toEqual(['2']);
    expect(controls.resolved).toEqual(['2', '4', '5']);
  });

  it('pauses on a failing group and hands the whole group over again after the pause, parking its invalid records once', async () => {
    const sink = new CollectingSink();
    const controls = new FakeControls();
    const groups: string[][] = [];
    let failures = 3;
    const handler = (records: readonly Rec[]) => {
      groups.push(records.map((r) => r.offset));
      return failures-- > 0 ? Promise.reject(new Error('Connection is closed.')) : Promise.resolve();
    };
    await deliverUntilResolved(processor({ mode: 'batch', handler, maxBatchSize: 10 }, sink), [valid(1), message(2, 'x'), valid(3)], controls);
    expect(groups).toEqual([['1', '3'], ['1', '3'], ['1', '3'], ['1', '3']]);
    expect(sink.letters.map((l) => [l.message.offset, l.reason])).toEqual([['2', 'not-json']]);
    expect(controls.resolved).toEqual(['3']);
  });

  it('dead-letters every record of a group whose handler keeps failing under a bounded policy', async () => {
    const sink = new CollectingSink();
    const controls = new FakeControls();
    await deliverUntilResolved(processor({ mode: 'batch', handler: () => Promise.reject(new Error('db down')), maxBatchSize: 10 }, sink, 2), [valid(1), valid(2)], controls);
    expect(sink.letters.map((l) => [l.message.offset, l.attempts])).toEqual([
      ['1', 2],
      ['2', 2],
    ]);
    expect(controls.resolved).toEqual(['2']);
  });
});
