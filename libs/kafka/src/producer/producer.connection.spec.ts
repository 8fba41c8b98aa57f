import { type KafkaClients } from '../kafka-clients';
import { ProducerConnection, type ProducerRetry } from './producer.connection';

const NO_RETRY: ProducerRetry = { retries: 0, initialBackoffMs: 1, maxBackoffMs: 1 };

interface SentBatch {
  topicMessages: { topic: string; messages: { key?: string | null; value: string | Buffer | null }[] }[];
}

/** A kafkajs producer whose requests settle when the test says so. */
function fakeClients() {
  const requests: { batch: SentBatch; settle: (error?: Error) => void }[] = [];
  const producer = {
    connect: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    sendBatch: (batch: SentBatch) =>
      new Promise((resolve, reject) => {
        requests.push({
          batch,
          settle: (error) =>
            error ? reject(error) : resolve(batch.topicMessages.map((t, partition) => ({ topicName: t.topic, partition, errorCode: 0, baseOffset: '0' }))),
        });
      }),
  };
  const clients = { main: { producer: () => producer } } as unknown as KafkaClients;
  return { clients, requests };
}

const message = (key: string) => ({ key, value: key });
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ProducerConnection', () => {
  it('sends at once when idle, and sends what arrived meanwhile together, in order, when the request in flight returns', async () => {
    const { clients, requests } = fakeClients();
    const connection = new ProducerConnection(clients);

    const first = connection.send({ topic: 'a', messages: [message('1')] });
    await tick();
    expect(requests).toHaveLength(1);
    const second = connection.send({ topic: 'a', messages: [message('2')] });
    const third = connection.send({ topic: 'b', messages: [message('3')] });
    const fourth = connection.send({ topic: 'a', messages: [message('4')] });
    await tick();
    expect(requests).toHaveLength(1);

    requests[0]?.settle();
    await expect(first).resolves.toEqual([expect.objectContaining({ topicName: 'a' })]);
    await tick();
    expect(requests).toHaveLength(2);
    expect(requests[1]?.batch.topicMessages).toEqual([
      { topic: 'a', messages: [message('2'), message('4')] },
      { topic: 'b', messages: [message('3')] },
    ]);
    requests[1]?.settle();
    await expect(second).resolves.toEqual([expect.objectContaining({ topicName: 'a' })]);
    await expect(third).resolves.toEqual([expect.objectContaining({ topicName: 'b' })]);
    await expect(fourth).resolves.toEqual([expect.objectContaining({ topicName: 'a' })]);
  });

  it('fails every caller whose records were in a failed request, and goes on with the next ones', async () => {
    const { clients, requests } = fakeClients();
    const connection = new ProducerConnection(clients, NO_RETRY);

    const first = connection.send({ topic: 'a', messages: [message('1')] });
    await tick();
    const second = connection.send({ topic: 'a', messages: [message('2')] });
    const third = connection.send({ topic: 'a', messages: [message('3')] });
    requests[0]?.settle();
    await first;
    await tick();
    requests[1]?.settle(new Error('broker gone'));
    await expect(second).rejects.toThrow('broker gone');
    await expect(third).rejects.toThrow('broker gone');

    const fourth = connection.send({ topic: 'a', messages: [message('4')] });
    await tick();
    expect(requests).toHaveLength(3);
    requests[2]?.settle();
    await expect(fourth).resolves.toHaveLength(1);
  });

  it('replaces the producer after a failed request, so that the next one starts with fresh sequence numbers', async () => {
    const created: { disconnected: boolean; sent: string[] }[] = [];
    let failNext = false;
    const clients = {
      main: {
        producer: () => {
          const state = { disconnected: false, sent: [] as string[] };
          created.push(state);
          return {
            connect: () => Promise.resolve(),
            disconnect: () => Promise.resolve(void (state.disconnected = true)),
            sendBatch: (batch: SentBatch) => {
              state.sent.push(...batch.topicMessages.flatMap((t) => t.messages.map((m) => String(m.key))));
              if (failNext) return Promise.reject(new Error('connection lost'));
              return Promise.resolve(batch.topicMessages.map((t) => ({ topicName: t.topic, partition: 0, errorCode: 0, baseOffset: '0' })));
            },
          };
        },
      },
    } as unknown as KafkaClients;
    const connection = new ProducerConnection(clients, NO_RETRY);

    await connection.send({ topic: 'a', messages: [message('1')] });
    failNext = true;
    await expect(connection.send({ topic: 'a', messages: [message('2')] })).rejects.toThrow('connection lost');
    failNext = false;
    await connection.send({ topic: 'a', messages: [message('3')] });

    expect(created.map((p) => p.sent)).toEqual([['1', '2'], ['3']]);
    expect(created.map((p) => p.disconnected)).toEqual([true, false]);
  });

  it("retries a failed request itself, whole, on a fresh producer, and never lets kafkajs retry (its retry loses records: kafkajs#1303)", async () => {
    const created: { options: unknown; sent: string[] }[] = [];
    let failures = 2;
    const clients = {
      main: {
        producer: (options: unknown) => {
          const state = { options, sent: [] as string[] };
          created.push(state);
          return {
            connect: () => Promise.resolve(),
            disconnect: () => Promise.resolve(),
            sendBatch: (batch: SentBatch) => {
              state.sent.push(...batch.topicMessages.flatMap((t) => t.messages.map((m) => String(m.key))));
              if (failures-- > 0) return Promise.reject(new Error('This server is not the leader for that topic-partition'));
              return Promise.resolve(batch.topicMessages.map((t) => ({ topicName: t.topic, partition: 0, errorCode: 0, baseOffset: '7' })));
            },
          };
        },
      },
    } as unknown as KafkaClients;
    const connection = new ProducerConnection(clients, { retries: 3, initialBackoffMs: 1, maxBackoffMs: 2 });

    await expect(connection.send({ topic: 'a', messages: [message('1'), message('2')] })).resolves.toEqual([expect.objectContaining({ baseOffset: '7' })]);
    // Every attempt carried the whole request, each on a producer of its own.
    expect(created.map((p) => p.sent)).toEqual([['1', '2'], ['1', '2'], ['1', '2']]);
    for (const p of created) expect(p.options).toEqual(expect.objectContaining({ idempotent: false, retry: { retries: 0 } }));
  });

  it('fails the callers once the retries are spent', async () => {
    let attempts = 0;
    const clients = {
      main: {
        producer: () => ({
          connect: () => Promise.resolve(),
          disconnect: () => Promise.resolve(),
          sendBatch: () => {
            attempts++;
            return Promise.reject(new Error('broker gone'));
          },
        }),
      },
    } as unknown as KafkaClients;
    const connection = new ProducerConnection(clients, { retries: 2, initialBackoffMs: 1, maxBackoffMs: 1 });

    await expect(connection.send({ topic: 'a', messages: [message('1')] })).rejects.toThrow('broker gone');
    expect(attempts).toBe(3);
  });
});
