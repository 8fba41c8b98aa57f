// `npm start`'s Kafka users on a real broker with the single node's SASL listener: each service's
// user reaches its own (run-prefixed) topics and group and nothing else, a wrong password is
// refused, and the PLAINTEXT listener still serves anyone without credentials (tests and tools).
// Brokers: KAFKA_SASL_BROKERS (the users' listener) and KAFKA_BROKERS (PLAINTEXT, the setup's
// super user), by default those of `npm run infra:up` (127.0.0.1:9096 and :9092). When
// KAFKA_BROKERS names other engines (the integration tier's containers, which have no SASL
// listener) and KAFKA_SASL_BROKERS is unset, the spec starts a private broker of its own.
import '@chat/kafka/kafkajs-fix';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Global, Logger, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ChannelCommandTopic, ChannelMembershipTopic, PresenceChangedTopic, PresenceSignalTopic, type TopicDefinition, WorkspaceMembershipTopic } from '@chat/contracts';
import { KAFKA_BROKERS, KAFKA_SASL_BROKERS, testEngines } from '@chat/infra';
import { KafkaModule } from '@chat/kafka';
import { ReadinessRegistry } from '@chat/service-kit';
import { privateKafka, type PrivateEngine } from '@chat/infra/private-engine';
import { dropRunData, freePort, uniqueName, waitFor } from '@chat/testing';
import { AclOperationTypes, AclPermissionTypes, type Admin, Kafka, logLevel, ResourcePatternTypes, AclResourceTypes } from 'kafkajs';
import { ensureKafkaUsers, localKafkaUsers, type LocalKafkaUser } from './local-kafka-users';

jest.setTimeout(240_000);

@Global()
@Module({ providers: [ReadinessRegistry], exports: [ReadinessRegistry] })
class ReadinessModule {}

describe("npm start: a Kafka SCRAM user per service, on the broker's SASL listener", () => {
  const dir = mkdtempSync(join(tmpdir(), 'kafka-users-'));
  const run = uniqueName('ku');
  const users = localKafkaUsers(run, dir);
  const topic = (name: string): string => `${run}.${name}`;
  let plain: string[] = [];
  let sasl: string[] = [];
  let engine: PrivateEngine | undefined;
  let admin: Admin;

  const user = (service: LocalKafkaUser['service']): LocalKafkaUser => {
    const found = users.find((u) => u.service === service);
    if (!found) throw new Error(`no user for ${service}`);
    return found;
  };
  const as = (service: LocalKafkaUser['service'], password = user(service).password): Kafka =>
    new Kafka({
      clientId: `kafka-users-spec-${service}`,
      brokers: sasl,
      sasl: { mechanism: 'scram-sha-512', username: user(service).username, password },
      retry: { retries: 0 },
      connectionTimeout: 5_000,
      logLevel: logLevel.NOTHING,
    });
  /** '' when the send was acknowledged, else the error's type or message. */
  const send = async (kafka: Kafka, to: string): Promise<string> => {
    const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
    try {
      await producer.connect();
      await producer.send({ topic: to, acks: -1, messages: [{ key: 'k', value: `from ${to}` }] });
      return '';
    } catch (error) {
      return errorName(error);
    } finally {
      await producer.disconnect();
    }
  };
  /** The first record's value on `from`, read in `groupId` from the beginning, or the error. */
  const receive = async (kafka: Kafka, from: string, groupId: string): Promise<string> => {
    const consumer = kafka.consumer({ groupId, retry: { retries: 0 } });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: from, fromBeginning: true });
      return await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`nothing read from ${from} in 60 s`)), 60_000);
        consumer.on(consumer.events.CRASH, (event) => {
          clearTimeout(timer);
          resolve(errorName(event.payload.error));
        });
        consumer
          .run({
            eachMessage: ({ message }) => {
              clearTimeout(timer);
              resolve(message.value?.toString() ?? '');
              return Promise.resolve();
            },
          })
          .catch((error: unknown) => {
            clearTimeout(timer);
            resolve(errorName(error));
          });
      });
    } catch (error) {
      return errorName(error);
    } finally {
      await consumer.disconnect();
    }
  };

  const deleteAclsOf = async (of: readonly LocalKafkaUser[]): Promise<void> => {
    const filters = of.map((u) => ({
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.ANY,
      principal: `User:${u.username}`,
      host: '*',
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    }));
    await admin.deleteAcls({ filters });
  };

  beforeAll(async () => {
    const engines = testEngines();
    const given = process.env['KAFKA_SASL_BROKERS']?.trim();
    if (given) {
      sasl = given.split(',').map((b) => b.trim());
      plain = [...engines.kafkaBrokers];
    } else if (engines.kafkaBrokers.join(',') === KAFKA_BROKERS.join(',')) {
      sasl = [...KAFKA_SASL_BROKERS];
      plain = [...KAFKA_BROKERS];
    } else {
      const saslPort = await freePort();
      engine = await privateKafka({ dir: join(dir, 'kafka'), port: await freePort(), controllerPort: await freePort(), saslPort });
      await engine.start();
      plain = [engine.endpoint];
      sasl = [`127.0.0.1:${saslPort}`];
    }
    admin = new Kafka({ clientId: 'kafka-users-spec-admin', brokers: plain, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await ensureKafkaUsers(plain.join(','), run, users);
    // Idempotent: the next `npm start` sets the same users, topics and ACLs again.
    const again = await ensureKafkaUsers(plain.join(','), run, users);
    expect(again).toMatch(/5 SCRAM users .* 0 topics created .* ACLs: 0 created, 0 deleted/);
  });

  afterAll(async () => {
    // The users' ACLs and the run's topics; the SCRAM credentials stay (kafkajs cannot delete
    // them), with no ACL left they may do nothing.
    await deleteAclsOf(users);
    const mine = (await admin.listTopics()).filter((name) => name.startsWith(`${run}.`));
    if (mine.length > 0) await admin.deleteTopics({ topics: mine });
    await admin.disconnect();
    await engine?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it("lets each service's user produce to and consume from its own topics in its own groups", async () => {
    await expect(send(as('messaging'), topic('chat.message.stored.v1'))).resolves.toBe('');
    await expect(receive(as('gateway'), topic('chat.message.stored.v1'), topic('gateway.spec'))).resolves.toBe(`from ${topic('chat.message.stored.v1')}`);
    await expect(send(as('gateway'), topic('chat.channel.command.v1'))).resolves.toBe('');
    await expect(receive(as('messaging'), topic('chat.channel.command.v1'), topic('messaging'))).resolves.toBe(`from ${topic('chat.channel.command.v1')}`);
  });

  it("refuses a user another service's topic or group, and another run's topics", async () => {
    // kafkajs reports a refused topic as TOPIC_AUTHORIZATION_FAILED or, from its metadata request,
    // "Not authorized to access topics: [Topic authorization failed]".
    const refused = /TOPIC_AUTHORIZATION_FAILED|Topic authorization failed/;
    await expect(send(as('presence'), topic('chat.channel.command.v1'))).resolves.toMatch(refused);
    await expect(send(as('gateway'), topic('chat.message.stored.v1'))).resolves.toMatch(refused);
    await expect(send(as('gateway'), 'chat.channel.command.v1')).resolves.toMatch(refused);
    await expect(receive(as('files'), topic('chat.message.stored.v1'), topic('files'))).resolves.toMatch(refused);
    // A group outside the user's prefix: the broker answers FindCoordinator with
    // GROUP_AUTHORIZATION_FAILED, which kafkajs reports as not finding the coordinator; the same
    // user on the same topic in a group of its own prefix (the control) reads.
    await expect(receive(as('gateway'), topic('chat.message.stored.v1'), topic('messaging'))).resolves.toMatch(
      /GROUP_AUTHORIZATION_FAILED|Failed to find group coordinator/,
    );
    await expect(receive(as('gateway'), topic('chat.message.stored.v1'), topic('gateway.control'))).resolves.toBe(`from ${topic('chat.message.stored.v1')}`);
  });

  it("starts a service's Kafka module as its user: its run's topics are there, and it is ready", async () => {
    Logger.overrideLogger(false);
    /** '' when the module started and its readiness check passed, else the error. */
    const start = async (topics: readonly TopicDefinition[]): Promise<string> => {
      const presence = user('presence');
      const config = {
        KAFKA_BROKERS: sasl,
        KAFKA_TOPIC_PREFIX: `${run}.`,
        KAFKA_REPLICATION_FACTOR: 1,
        KAFKA_SASL_MECHANISM: 'scram-sha-512' as const,
        KAFKA_SASL_USERNAME: presence.username,
        KAFKA_SASL_PASSWORD: presence.password,
      };
      const moduleRef = await Test.createTestingModule({ imports: [ReadinessModule, KafkaModule.forService('kafka-users-spec', config, topics)] }).compile();
      let outcome = '';
      try {
        await moduleRef.init();
        const checks = moduleRef.get(ReadinessRegistry).list();
        if (checks.length === 0) throw new Error('the Kafka module registered no readiness check');
        for (const check of checks) await check.check();
      } catch (error) {
        outcome = errorName(error);
      }
      // After a failed init Nest's close() rejects again with the init's error.
      await moduleRef.close().catch((error: unknown) => {
        if (outcome === '') throw error;
      });
      return outcome;
    };
    // Presence's topics (apps/presence's PRESENCE_TOPICS), created by the setup: nothing to create.
    await expect(start([PresenceSignalTopic, PresenceChangedTopic, ChannelMembershipTopic, WorkspaceMembershipTopic])).resolves.toBe('');
    // A topic presence may not even see: the module would have to create it, and may not.
    await expect(start([ChannelCommandTopic])).resolves.toMatch(/authoriz/i);
  });

  it("leaves the users and ACLs of one run alone when another run's are set up", async () => {
    const aclsOf = async (u: LocalKafkaUser): Promise<number> => {
      const { resources } = await admin.describeAcls({
        resourceType: AclResourceTypes.ANY,
        resourcePatternType: ResourcePatternTypes.ANY,
        principal: `User:${u.username}`,
        host: '*',
        operation: AclOperationTypes.ANY,
        permissionType: AclPermissionTypes.ANY,
      });
      return resources.reduce((sum, r) => sum + r.acls.length, 0);
    };
    const before = await Promise.all(users.map(aclsOf));
    expect(before.every((count) => count > 0)).toBe(true);
    const other = uniqueName('ku');
    const otherUsers = localKafkaUsers(other, dir);
    try {
      await ensureKafkaUsers(plain.join(','), other, otherUsers);
      // The broker applies ACL changes from the metadata log in order, a moment after the setup's
      // requests return: once the other run's new ACLs show, any deletion before them shows too.
      await waitFor(`the ACLs of ${other}`, async () => (await Promise.all(otherUsers.map(aclsOf))).every((count) => count > 0));
      expect(await Promise.all(users.map(aclsOf))).toEqual(before);
      await expect(send(as('gateway'), topic('chat.channel.command.v1'))).resolves.toBe('');
    } finally {
      // What the end-to-end tiers do after an `npm start -- --run`: the run's topics and ACLs go.
      await dropRunData({ topicPrefix: `${other}.` }, { ...testEngines(), kafkaBrokers: plain });
    }
    // (Again a moment until the broker shows the deletions.)
    await waitFor(`no ACLs of ${other} left`, async () => (await Promise.all(otherUsers.map(aclsOf))).every((count) => count === 0), 10_000);
    expect(await Promise.all(users.map(aclsOf))).toEqual(before);
  });

  it('refuses a wrong password', async () => {
    await expect(send(as('gateway', 'not-the-password-of-the-gateway-user'), topic('chat.channel.command.v1'))).resolves.toMatch(/SASL SCRAM SHA512 authentication failed/);
  });

  it('still serves the PLAINTEXT listener without credentials: the run topics, and topics it creates', async () => {
    const anyone = new Kafka({ clientId: 'kafka-users-spec-plain', brokers: plain, retry: { retries: 0 }, logLevel: logLevel.NOTHING });
    const extra = topic('plaintext.spec');
    // kafkajs's own wait for leaders gives up on a topic whose metadata is not out yet: poll instead.
    await admin.createTopics({ topics: [{ topic: extra, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: false });
    await waitFor(`a leader for ${extra}`, async () => ((await admin.fetchTopicMetadata({ topics: [extra] })).topics[0]?.partitions[0]?.leader ?? -1) >= 0);
    await expect(send(anyone, extra)).resolves.toBe('');
    await expect(receive(anyone, extra, topic('plaintext-spec'))).resolves.toBe(`from ${extra}`);
    await expect(send(anyone, topic('chat.presence.signal.v1'))).resolves.toBe('');
  });
});

function errorName(error: unknown): string {
  // kafkajs's KafkaJSAggregateError (e.g. "Topic creation errors"): the errors it gathers.
  if (error && typeof error === 'object' && 'errors' in error && Array.isArray(error.errors)) return error.errors.map(errorName).join(', ');
  if (error && typeof error === 'object' && 'type' in error && typeof error.type === 'string') return error.type;
  return error instanceof Error ? error.message : String(error);
}
