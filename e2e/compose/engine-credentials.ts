// What a client of the compose stack's Kafka and Cassandra can do with a given login, from the
// host through their published ports: the probes of the compose smoke test's credentials case.
// Each returns what happened ('ok' or the error's code/name), never throws, so one assertion can
// show every outcome.
import { Client } from 'cassandra-driver';
// kafkajs 2.2.4 spins a 1 ms timer on every connection without it (the bus library's fix).
import '@chat/kafka/kafkajs-fix';
import { Kafka, logLevel } from 'kafkajs';

export interface Login {
  username: string;
  password: string;
}

function kafka(port: number, login: Login | undefined): Kafka {
  return new Kafka({
    clientId: 'compose-credentials',
    brokers: [`127.0.0.1:${port}`],
    ...(login ? { sasl: { mechanism: 'scram-sha-512' as const, ...login } } : {}),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 5_000,
    requestTimeout: 10_000,
    retry: { retries: 0 },
  });
}

/** The broker's error code where there is one (kafkajs wraps it in `cause` on a producer), else the error's name. */
function outcome(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const typed = error as Error & { type?: string; cause?: unknown };
  if (typed.type !== undefined) return typed.type;
  const cause = typed.cause as { type?: string } | undefined;
  return cause?.type ?? typed.name;
}

/** Produce one record to `topic` as `login`. */
export async function kafkaProduce(port: number, login: Login | undefined, topic: string): Promise<string> {
  const producer = kafka(port, login).producer({ allowAutoTopicCreation: false });
  try {
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'compose-credentials', value: 'probe' }] });
    return 'ok';
  } catch (error) {
    return outcome(error);
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}

/** Subscribe to `topic` in `groupId` as `login` (the metadata of the topic is what Read needs). */
export async function kafkaSubscribe(port: number, login: Login, topic: string, groupId: string): Promise<string> {
  const consumer = kafka(port, login).consumer({ groupId, allowAutoTopicCreation: false });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    return 'ok';
  } catch (error) {
    return outcome(error);
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

/** Run one CQL statement as `login` (undefined: no credentials). */
export async function cql(port: number, login: Login | undefined, query: string): Promise<string> {
  const client = new Client({
    contactPoints: [`127.0.0.1:${port}`],
    localDataCenter: 'datacenter1',
    ...(login ? { credentials: login } : {}),
    socketOptions: { connectTimeout: 10_000, readTimeout: 20_000 },
  });
  try {
    await client.connect();
    await client.execute(query);
    return 'ok';
  } catch (error) {
    // NoHostAvailableError wraps the node's answer (AuthenticationError when the login is refused).
    const inner = Object.values((error as { innerErrors?: Record<string, unknown> }).innerErrors ?? {})[0];
    if (inner !== undefined) return outcome(inner);
    const code = (error as { code?: number }).code;
    // 0x2100: Unauthorized (authenticated, but not granted).
    return code === 0x2100 ? 'Unauthorized' : outcome(error);
  } finally {
    await client.shutdown().catch(() => undefined);
  }
}
