// The replay's decisions, shared by both buses: which letters pass the filters, what goes back,
// what is reported, and when a run is finished.
import { DEAD_LETTER_HEADERS, type RawMessage } from '../consumer/dead-letter';
import { LetterReplay, REPLAYED_FROM_HEADER, type ReplayCopy, type ReplayedLetter, ReplayEnds } from './letter-replay';

function letter(offset: number, group: string, reason: string, topic = 'demo.chat.x.v1'): RawMessage {
  return {
    key: Buffer.from(`k${offset}`),
    value: Buffer.from('{"n":1}'),
    offset: String(offset),
    timestamp: '1',
    headers: {
      'x-trace': Buffer.from('t-1'),
      [DEAD_LETTER_HEADERS.topic]: topic,
      [DEAD_LETTER_HEADERS.partition]: '2',
      [DEAD_LETTER_HEADERS.groupId]: group,
      [DEAD_LETTER_HEADERS.reason]: reason,
      [DEAD_LETTER_HEADERS.error]: 'Error: boom',
    },
  };
}

describe('LetterReplay', () => {
  const letters = [letter(0, 'demo.files.members', 'handler-failed'), letter(1, 'demo.gateway', 'not-json'), letter(2, 'demo.files.members', 'schema-violation')];

  async function run(options: { groupId?: string; reason?: string; dryRun?: boolean }) {
    const reported: ReplayedLetter[] = [];
    const published: ReplayCopy[] = [];
    const replay = new LetterReplay({ topic: 'chat.x.v1', prefix: 'demo.', onLetter: (l) => reported.push(l), ...options });
    for (const l of letters) {
      await replay.handle(2, l, (copy) => {
        published.push(copy);
        return Promise.resolve();
      });
    }
    return { replay, reported, published };
  }

  it('names the topics and the progress of each filter', () => {
    expect(new LetterReplay({ topic: 'chat.x.v1', prefix: 'demo.' })).toMatchObject({
      sourceTopic: 'demo.chat.x.v1',
      deadLetterTopic: 'demo.chat.x.v1.dlq',
      progressName: 'demo.dlq-replay.chat.x.v1',
    });
    expect(new LetterReplay({ topic: 'chat.x.v1', groupId: 'files.members', reason: 'not-json' }).progressName).toBe('dlq-replay.chat.x.v1.files.members.not-json');
  });

  it('replays every letter without filters: key, value and headers as they were, the x-dlq-* ones dropped', async () => {
    const { replay, published, reported } = await run({});
    expect(replay.summary()).toEqual({ deadLetterTopic: 'demo.chat.x.v1.dlq', sourceTopic: 'demo.chat.x.v1', replayed: 3, skipped: 0, listed: 0 });
    expect(published[0]).toEqual({
      key: Buffer.from('k0'),
      value: Buffer.from('{"n":1}'),
      headers: { 'x-trace': Buffer.from('t-1'), [REPLAYED_FROM_HEADER]: 'demo.chat.x.v1.dlq/2/0' },
    });
    expect(reported[1]).toEqual({ partition: 2, offset: '1', key: 'k1', group: 'demo.gateway', reason: 'not-json', error: 'Error: boom', action: 'replayed' });
  });

  it('filters by group (named without the prefix) and by reason, together', async () => {
    expect((await run({ groupId: 'files.members' })).replay.summary()).toMatchObject({ replayed: 2, skipped: 1 });
    expect((await run({ reason: 'not-json' })).replay.summary()).toMatchObject({ replayed: 1, skipped: 2 });
    const both = await run({ groupId: 'files.members', reason: 'schema-violation' });
    expect(both.reported.map((l) => l.action)).toEqual(['skipped', 'skipped', 'replayed']);
    expect(both.published).toHaveLength(1);
  });

  it('publishes nothing in a dry run', async () => {
    const { replay, published } = await run({ dryRun: true, reason: 'not-json' });
    expect(published).toEqual([]);
    expect(replay.summary()).toMatchObject({ replayed: 0, listed: 1, skipped: 2 });
  });

  it('refuses a letter that came from another topic', async () => {
    const replay = new LetterReplay({ topic: 'chat.x.v1', prefix: 'demo.' });
    await expect(replay.handle(0, letter(5, 'g', 'not-json', 'demo.chat.y.v1'), () => Promise.resolve())).rejects.toThrow('letter 0/5 came from demo.chat.y.v1, not demo.chat.x.v1');
  });
});

describe('ReplayEnds', () => {
  it('is finished once every partition with letters reached the end it had at the start', async () => {
    const ends = new ReplayEnds('t.dlq', new Map([[0, 0n], [1, 3n], [2, 5n]]));
    expect(ends.unfinished).toEqual([1, 2]);
    ends.startsAt(2, 5n); // progress recorded up to the end already
    expect(ends.unfinished).toEqual([1]);
    expect(ends.includes(1, '2')).toBe(true);
    expect(ends.includes(1, '3')).toBe(false);
    ends.handled(1, '1');
    expect(ends.unfinished).toEqual([1]);
    ends.handled(1, '2');
    await expect(ends.wait(1_000)).resolves.toBeUndefined();
  });

  it('fails with the first failure, or when the end is not reached in time', async () => {
    const failing = new ReplayEnds('t.dlq', new Map([[0, 1n]]));
    failing.failed(new Error('broker gone'));
    await expect(failing.wait(1_000)).rejects.toThrow('broker gone');
    await expect(new ReplayEnds('t.dlq', new Map([[0, 1n]])).wait(10, ' (hint)')).rejects.toThrow('the replay did not reach the end of t.dlq within 10 ms (partitions 0 unfinished) (hint)');
  });
});
