// Integration-test harness: runs messaging in this process exactly as main.ts does
// (bootstrapService on a real port), each run in its own Cassandra keyspace (test_msg_<random>)
// and Kafka namespace (topic and consumer-group prefix), with access tokens signed by a key of the
// test's own, served from a local JWKS endpoint. Records on the output topics are collected by a
// broadcast consumer so specs can assert on events and replies.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type INestApplication } from '@nestjs/common';
import {
  type ChannelCommand,
  ChannelCommandTopic,
  type ChannelMembershipChanged,
  ChannelMembershipTopic,
  type WorkspaceMembershipChanged,
  WorkspaceMembershipTopic,
  type CommandReply,
  CommandReplyTopic,
  type Message,
  MessageSequencedTopic,
  MessageStoredTopic,
  type MessageStored,
  type PartitionOwner,
  type ReaderOutput,
  type SequencedRecord,
  SequencedReader,
  MessageUpdatedTopic,
  type ReadMarkerMoved,
  ReadMarkerTopic,
  UserRegisteredTopic,
} from '@chat/contracts';
import { ACCESS_TOKEN_ALGORITHM, ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from '@chat/auth-client';
import { CassandraClient } from '@chat/cassandra';
import { type ConsumerHandle, BusConsumers, BusProducer } from '@chat/kafka';
import { bootstrapService, parseConfig, serviceIdentity } from '@chat/service-kit';
import { freePort, uniqueName, waitFor } from '@chat/testing';
import { testCassandraLogin } from '@chat/testing/local-cassandra';
import { exportJWK, generateKeyPair, type JWK, type KeyLike, SignJWT } from 'jose';
import { AppModule } from '../app.module';
import { type MessagingConfig, MessagingConfigSchema } from '../config';
import { SendPipelineConsumer } from '../messages/send-pipeline.consumer';
import { UserRegisteredConsumer } from '../users/user-registered.consumer';
import { UsersRepository } from '../users/users.repository';

const CASSANDRA = process.env['CASSANDRA_CONTACT_POINTS'] ?? '127.0.0.1:9042';
const KAFKA = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';

/** One test run's own keyspace, topic prefix and consumer group. */
export interface TestNamespace {
  keyspace: string;
  topicPrefix: string;
  group: string;
}

export function testNamespace(): TestNamespace {
  const name = uniqueName('test_msg_');
  return { keyspace: name, topicPrefix: `${name.replace(/_/g, '-')}.`, group: 'messaging' };
}

/** Signs access tokens the way auth does, with a key served from a local JWKS endpoint. */
export class TokenIssuer {
  private constructor(
    private readonly server: Server,
    private readonly privateKey: KeyLike,
    private readonly kid: string,
  ) {}

  static async start(): Promise<TokenIssuer> {
    const kid = randomUUID();
    const { privateKey, publicKey } = await generateKeyPair(ACCESS_TOKEN_ALGORITHM, { crv: 'Ed25519' });
    const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: ACCESS_TOKEN_ALGORITHM, use: 'sig' };
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new TokenIssuer(server, privateKey, kid);
  }

  get jwksUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/auth/.well-known/jwks.json`;
  }

  sign(user: TestUser): Promise<string> {
    return new SignJWT({ username: user.username })
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, kid: this.kid, typ: 'JWT' })
      .setSubject(user.id)
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('15m')
      .sign(this.privateKey);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export interface TestUser {
  id: string;
  username: string;
}

export function testUser(name: string): TestUser {
  return { id: randomUUID(), username: `${name}_${randomUUID().slice(0, 8)}` };
}

export interface RunningMessaging {
  app: INestApplication;
  url: string;
  config: MessagingConfig;
}

export function testConfig(namespace: TestNamespace, jwksUrl: string, port: number, overrides: Record<string, string> = {}): MessagingConfig {
  const login = testCassandraLogin();
  return parseConfig(MessagingConfigSchema, {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env['TEST_SERVICE_LOG_LEVEL'] ?? 'silent',
    PORT: String(port),
    CASSANDRA_CONTACT_POINTS: CASSANDRA,
    // The local superuser (each test creates and drops its keyspace), or CASSANDRA_USERNAME/PASSWORD.
    CASSANDRA_USERNAME: login.username,
    CASSANDRA_PASSWORD: login.password,
    CASSANDRA_KEYSPACE: namespace.keyspace,
    KAFKA_BROKERS: KAFKA,
    KAFKA_TOPIC_PREFIX: namespace.topicPrefix,
    MESSAGING_CONSUMER_GROUP: namespace.group,
    // The run's topics are new and empty: starting from the beginning skips nothing and replays
    // nothing. (Starting at the latest offset would let an instance joining the group skip the
    // records of a partition that had no committed offset yet.)
    MESSAGING_CONSUME_FROM_BEGINNING: 'true',
    USER_PROJECTION_WAIT_MS: '2000',
    JWKS_URL: jwksUrl,
    ...overrides,
  });
}

/** Starts messaging and waits until its command and users consumers have joined their groups. */
export async function startMessaging(
  namespace: TestNamespace,
  jwksUrl: string,
  overrides: Record<string, string> = {},
  name = 'messaging-test',
): Promise<RunningMessaging> {
  const config = testConfig(namespace, jwksUrl, await freePort(), overrides);
  const identity = serviceIdentity('messaging', `${name}-${uniqueName('')}`);
  const app = await bootstrapService({ identity, config, module: AppModule.forRoot(identity, config) });
  await Promise.all([app.get(SendPipelineConsumer).ready(), app.get(UserRegisteredConsumer).ready()]);
  return { app, url: `http://127.0.0.1:${config.PORT}`, config };
}

export async function dropKeyspace(app: INestApplication, keyspace: string): Promise<void> {
  // A schema change waits for every table and index of the keyspace to go; on a loaded machine
  // that takes longer than the driver's default 10 s.
  await app.get(CassandraClient).execute(`DROP KEYSPACE IF EXISTS ${keyspace}`, [], { readTimeoutMs: 60_000 });
}

/**
 * What messaging published while the observer ran, read as a gateway reads it. `created` are the
 * messages a gateway delivers (from the sequenced log, behind its fence); `replies` are the answers
 * a gateway would give: replies proper, and sends acknowledged by the store's progress reports
 * (the request id is the command id for commands built by sendCommand).
 */
export class Observer {
  readonly created: Message[] = [];
  readonly updated: Message[] = [];
  readonly replies: CommandReply[] = [];
  readonly memberships: ChannelMembershipChanged[] = [];
  readonly workspaceMemberships: WorkspaceMembershipChanged[] = [];
  readonly reads: ReadMarkerMoved[] = [];
  /** Each partition's owner as the markers and store reports announce it (the direct hop's routes). */
  readonly owners = new Map<number, PartitionOwner>();
  private handle: ConsumerHandle | undefined;
  private readonly reader = new SequencedReader({ maxChannels: 100_000, mine: () => true });

  static async start(app: INestApplication): Promise<Observer> {
    const observer = new Observer();
    observer.handle = await app.get(BusConsumers).consume({
      // Its own group reading every topic of the run from the start: nothing published after the
      // topics exist can be missed, however late the group's start offsets are resolved.
      groupId: `observer-${randomUUID()}`,
      fromBeginning: true,
      topics: [MessageSequencedTopic, MessageStoredTopic, MessageUpdatedTopic, CommandReplyTopic, ChannelMembershipTopic, WorkspaceMembershipTopic, ReadMarkerTopic],
      // One at a time: the reader's state is shared by the partitions.
      partitionsConsumedConcurrently: 1,
      handler: (record) => {
        switch (record.definition.name) {
          case MessageSequencedTopic.name: {
            const value = record.value as SequencedRecord;
            if (value.kind === 'epoch' && value.address) observer.owned(record.partition, { epoch: value.epoch, address: value.address });
            observer.take(observer.reader.sequenced(record.partition, record.offset, value));
            break;
          }
          case MessageStoredTopic.name:
            for (const progress of (record.value as MessageStored).progress) {
              if (progress.owner) observer.owned(progress.partition, progress.owner);
              observer.take(observer.reader.stored(progress));
            }
            break;
          case MessageUpdatedTopic.name:
            observer.updated.push((record.value as { message: Message }).message);
            break;
          case CommandReplyTopic.name:
            observer.replies.push(record.value as CommandReply);
            break;
          case ChannelMembershipTopic.name:
            observer.memberships.push(record.value as ChannelMembershipChanged);
            break;
          case WorkspaceMembershipTopic.name:
            observer.workspaceMemberships.push(record.value as WorkspaceMembershipChanged);
            break;
          case ReadMarkerTopic.name:
            observer.reads.push(record.value as ReadMarkerMoved);
            break;
        }
        return Promise.resolve();
      },
    });
    await observer.handle.ready;
    return observer;
  }

  private owned(partition: number, owner: PartitionOwner): void {
    if ((this.owners.get(partition)?.epoch ?? 0) < owner.epoch) this.owners.set(partition, owner);
  }

  private take({ deliver, acks }: ReaderOutput): void {
    this.created.push(...deliver);
    // A send is answered once the store reported it stored, as the gateway sees it.
    for (const { replyTo, message } of acks) this.replies.push({ replyTo, commandId: replyTo.requestId, result: { ok: true, message } });
  }

  async stop(): Promise<void> {
    await this.handle?.stop();
  }
}

/** Publishes channel commands and user.registered events the way the gateway and auth do. */
export class Publisher {
  constructor(private readonly app: INestApplication) {}

  async command(command: ChannelCommand): Promise<void> {
    await this.app.get(BusProducer).publish(ChannelCommandTopic, command.payload.channelId, command);
  }

  async commands(commands: readonly ChannelCommand[]): Promise<void> {
    await this.app.get(BusProducer).publishBatch(
      ChannelCommandTopic,
      commands.map((value) => ({ key: value.payload.channelId, value })),
    );
  }

  async registered(user: TestUser): Promise<void> {
    await this.app.get(BusProducer).publish(UserRegisteredTopic, user.id, {
      userId: user.id,
      username: user.username,
      displayName: user.username.toUpperCase(),
      registeredAt: new Date().toISOString(),
    });
    // The users projection is fed asynchronously: wait until messaging knows the user, as a real
    // client would have by the time it is invited (auth's outbox relays within milliseconds).
    const users = this.app.get(UsersRepository);
    await waitFor(`messaging to know ${user.username}`, async () => (await users.byId(user.id)) !== undefined);
  }
}

export function sendCommand(
  user: TestUser,
  channelId: string,
  text: string,
  options: { gatewayId: string; clientMsgId?: string },
): Extract<ChannelCommand, { type: 'message.send' }> {
  // The request id is the command id, so an answer found by request id (see Observer) names its command.
  const commandId = randomUUID();
  return {
    type: 'message.send',
    commandId,
    userId: user.id,
    issuedAt: new Date().toISOString(),
    replyTo: { gatewayId: options.gatewayId, requestId: commandId },
    payload: { channelId, clientMsgId: options.clientMsgId ?? randomUUID(), text },
  };
}

/** The users of a spec: signs their tokens and registers them with messaging (as auth would). */
export class SpecUsers {
  private readonly tokens = new Map<string, string>();

  constructor(
    private readonly issuer: TokenIssuer,
    private readonly publish: Publisher,
  ) {}

  async create(name: string): Promise<TestUser> {
    const user = testUser(name);
    this.tokens.set(user.id, await this.issuer.sign(user));
    await this.publish.registered(user);
    return user;
  }

  /** The Authorization header of `user`. */
  bearer(user: TestUser): string {
    return `Bearer ${this.tokens.get(user.id)}`;
  }
}

/**
 * What a messaging integration spec runs against: one messaging instance on its own keyspace and
 * Kafka namespace, a token issuer, an observer of its events, a publisher of commands, and the
 * spec's users. `stop` drops the keyspace and closes everything.
 */
export class MessagingSpec {
  private constructor(
    readonly namespace: TestNamespace,
    readonly issuer: TokenIssuer,
    readonly messaging: RunningMessaging,
    readonly observer: Observer,
    readonly publish: Publisher,
    readonly users: SpecUsers,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<MessagingSpec> {
    const namespace = testNamespace();
    const issuer = await TokenIssuer.start();
    let messaging: RunningMessaging | undefined;
    try {
      messaging = await startMessaging(namespace, issuer.jwksUrl, env);
      const observer = await Observer.start(messaging.app);
      const publish = new Publisher(messaging.app);
      return new MessagingSpec(namespace, issuer, messaging, observer, publish, new SpecUsers(issuer, publish));
    } catch (error) {
      if (messaging) await messaging.app.close();
      await issuer.stop();
      throw error;
    }
  }

  async stop(): Promise<void> {
    await this.observer.stop();
    await dropKeyspace(this.messaging.app, this.namespace.keyspace);
    await this.messaging.app.close();
    await this.issuer.stop();
  }
}
