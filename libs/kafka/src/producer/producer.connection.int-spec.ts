// ProducerConnection against the real broker when a request's answer is lost: the broker
// appended the records, the client saw only a failure. When the producer was idempotent, kafkajs
// then rolled its sequence numbers back, and without a fresh producer the next request reused
// them: the broker took it for a retry of the appended one and answered with that one's offset,
// so its records were silently lost (or, with another record count, every later request to the
// partition was refused with OUT_OF_ORDER_SEQUENCE_NUMBER). This is how a 30-s Kafka outage in the
// e2e suite lost commands and stalled a channel. The producer is no longer idempotent (see
// producer.connection.ts); what follows a lost answer must still be stored.
//
// The answers are dropped by the client's own sockets (kafkajs' socketFactory): while `dropping`
// is set, a socket that receives bytes from the broker is destroyed before kafkajs reads them, so
// every request still reaches the broker and no answer reaches the client.
import { Logger } from '@nestjs/common';
import { uniqueName, waitFor } from '@chat/testing';
import { type Admin, type ISocketFactory, Kafka, logLevel } from 'kafkajs';
import { connect as tcpConnect, type Socket } from 'node:net';
import { type KafkaClients } from '../kafka-clients';
import { rawKafka, TEST_BROKERS } from '../testing/kafka-test.env';
import { ProducerConnection } from './producer.connection';

jest.setTimeout(90_000);

const topic = `test.producer-${uniqueName('')}.lost-answers.v1`;

describe('ProducerConnection when the broker stored a request whose answer was lost', () => {
  let admin: Admin;
  let dropping = false;
  const sockets = new Set<Socket>();

  const socketFactory: ISocketFactory = ({ host, port, onConnect }) => {
    const socket = tcpConnect({ host, port }, onConnect);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const emit = socket.emit.bind(socket) as (event: string | symbol, ...args: unknown[]) => boolean;
    socket.emit = ((event: string | symbol, ...args: unknown[]) => {
      if (event === 'data' && dropping) {
        socket.destroy(new Error('the answer was lost'));
        return true;
      }
      return emit(event, ...args);
    }) as Socket['emit'];
    return socket;
  };

  const kafka = new Kafka({
    brokers: TEST_BROKERS,
    clientId: `producer-spec-${uniqueName('')}`,
    socketFactory,
    logLevel: logLevel.NOTHING,
    // Give up on a request within a few seconds (the services use kafkajs' defaults: ~30 s).
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 },
    connectionTimeout: 1_000,
    requestTimeout: 2_000,
  });
  const connection = new ProducerConnection({ main: kafka } as KafkaClients);

  beforeAll(async () => {
    Logger.overrideLogger(['fatal']);
    admin = rawKafka(`producer-spec-admin-${uniqueName('')}`).admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1 }] });
  });

  afterAll(async () => {
    await connection.onApplicationShutdown();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
    for (const socket of sockets) socket.destroy();
  });

  async function storedValues(expected: number): Promise<string[]> {
    const consumer = rawKafka(`producer-spec-reader-${uniqueName('')}`).consumer({ groupId: `producer-spec-${uniqueName('')}` });
    const values: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: ({ message }) => Promise.resolve(void values.push(message.value?.toString() ?? '')) });
    try {
      // Reads until nothing more arrives (more than `expected` would be a failure too).
      await waitFor(`${expected} records of ${topic}`, () => values.length >= expected, 30_000, 100);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      return values;
    } finally {
      await consumer.disconnect();
    }
  }

  it('stores the records sent after the lost answer, with the same or another record count', async () => {
    const send = (...values: string[]) => connection.send({ topic, messages: values.map((value) => ({ key: 'k', value })) });

    await send('a');

    // The broker appends b (and takes kafkajs' retries of it for duplicates); the client sees a failure.
    dropping = true;
    await expect(send('b')).rejects.toThrow();
    dropping = false;

    // The same record count as b: with b's sequence numbers the broker would answer b's offset and drop c.
    const [c] = await send('c');
    // Another count: with b's sequence numbers, OUT_OF_ORDER_SEQUENCE_NUMBER from here on.
    await send('d', 'e');
    await send('f');

    expect(c?.baseOffset).toBe('2');
    expect(await storedValues(6)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });
});
