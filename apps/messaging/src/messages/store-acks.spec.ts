// StoreAcks on a fake producer: reports merge per partition while a record is in flight, a failed
// produce is retried with what arrived meanwhile (never lost, never behind later progress), and
// answers travel in slices after the offsets.
import { type MessageStored, type Message } from '@chat/contracts';
import { type KafkaProducer } from '@chat/kafka';
import { type Clock } from '../common/clock';
import { recordsOf, StoreAcks } from './store-acks';

const message = (seq: number): Message => ({
  id: `5d1b2c3a-4e5f-4a6b-8c7d-${String(seq).padStart(12, '0')}`,
  channelId: '7b0c7a4e-1c9b-4a57-9a8c-3f0f2a9d6c11',
  seq,
  senderId: '0b9b5f5e-4d8e-4a4b-9a51-2f6c1c0e7d10',
  clientMsgId: '9a0e1f3c-2b4d-4c6e-8f10-1a2b3c4d5e6f',
  text: `m${seq}`,
  createdAt: '2026-01-01T00:00:00.000Z',
});
const replyTo = (requestId: string) => ({ gatewayId: 'gw', requestId });

function setup() {
  const sent: MessageStored[][] = [];
  const requests: { settle: (error?: Error) => void }[] = [];
  const producer = {
    publishBatch: (_topic: unknown, records: { value: MessageStored }[]) =>
      new Promise<void>((resolve, reject) => {
        sent.push(records.map((r) => r.value));
        requests.push({ settle: (error) => (error ? reject(error) : resolve()) });
      }),
  } as unknown as KafkaProducer;
  const clock = { sleep: () => Promise.resolve(), now: () => new Date() } as unknown as Clock;
  const acks = new StoreAcks(producer, clock, { service: 'messaging', instanceId: 'messaging-1' });
  return { acks, sent, requests };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('StoreAcks', () => {
  it('announces the owner of the partitions whose sequencer here has claimed its epoch, until a rebalance', async () => {
    const { acks, sent, requests } = setup();
    acks.own(1, { epoch: 4, address: 'http://10.0.0.1:3002' });
    void acks.report({ partition: 1, storedBelow: '10', epoch: 4, refused: [], answers: [] });
    void acks.report({ partition: 2, storedBelow: '5', epoch: 1, refused: [], answers: [] });
    requests[0].settle();
    await flush();
    expect(sent).toEqual([
      [{ progress: [{ partition: 1, storedBelow: '10', epoch: 4, owner: { epoch: 4, address: 'http://10.0.0.1:3002' } }] }],
      [{ progress: [{ partition: 2, storedBelow: '5', epoch: 1 }] }],
    ]);
    acks.disownAll();
    void acks.report({ partition: 1, storedBelow: '11', epoch: 4, refused: [], answers: [] });
    requests[1].settle();
    await flush();
    expect(sent[2]).toEqual([{ progress: [{ partition: 1, storedBelow: '11', epoch: 4 }] }]);
  });

  it('reports at once when idle, and merges what comes meanwhile per partition into the next record', async () => {
    const { acks, sent, requests } = setup();
    const done: string[] = [];
    void acks.report({ partition: 1, storedBelow: '10', epoch: 3, refused: [], answers: [] }).then(() => done.push('a'));
    expect(sent).toEqual([[{ progress: [{ partition: 1, storedBelow: '10', epoch: 3 }] }]]);
    void acks.report({ partition: 1, storedBelow: '12', epoch: 3, refused: ['11'], answers: [] }).then(() => done.push('b'));
    void acks.report({ partition: 1, storedBelow: '15', epoch: 4, refused: ['13'], answers: [] }).then(() => done.push('c'));
    void acks.report({ partition: 2, storedBelow: '7', epoch: 1, refused: [], answers: [] }).then(() => done.push('d'));
    expect(sent).toHaveLength(1);
    requests[0].settle();
    await flush();
    expect(done).toEqual(['a']);
    expect(sent[1]).toEqual([
      {
        progress: [
          { partition: 1, storedBelow: '15', epoch: 4, refused: ['11', '13'] },
          { partition: 2, storedBelow: '7', epoch: 1 },
        ],
      },
    ]);
    requests[1].settle();
    await flush();
    expect(done).toEqual(['a', 'b', 'c', 'd']);
  });

  it('retries a failed record with what arrived meanwhile, its promises settling only then', async () => {
    const { acks, sent, requests } = setup();
    let settled = false;
    void acks.report({ partition: 0, storedBelow: '5', epoch: 1, refused: ['4'], answers: [] }).then(() => (settled = true));
    void acks.report({ partition: 0, storedBelow: '8', epoch: 1, refused: ['6'], answers: [] });
    requests[0].settle(new Error('broker down'));
    await flush();
    expect(settled).toBe(false);
    expect(sent[1]).toEqual([{ progress: [{ partition: 0, storedBelow: '8', epoch: 1, refused: ['4', '6'] }] }]);
    requests[1].settle();
    await flush();
    expect(settled).toBe(true);
  });

  it('sends answers in slices after the offsets, each record small', () => {
    const answers = Array.from({ length: 250 }, (_, i) => ({ replyTo: replyTo(`r${i}`), message: message(i + 1) }));
    const records = recordsOf([{ partition: 3, storedBelow: '900', epoch: 2, refused: ['899'], answers }]);
    expect(records[0]).toEqual({ progress: [{ partition: 3, storedBelow: '900', epoch: 2, refused: ['899'] }] });
    expect(records.slice(1).map((r) => r.progress[0]?.answers?.length)).toEqual([100, 100, 50]);
    expect(records.slice(1).flatMap((r) => r.progress[0]?.answers ?? [])).toEqual(answers);
  });
});
