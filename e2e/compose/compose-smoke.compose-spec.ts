// The images, run: docker/compose.yaml started as it ships (the images `npm run images` built,
// engines included, two gateways behind HAProxy), driven only through the one origin with the
// real Socket.IO client and HTTP: register two accounts, send a message and receive it on the
// second account's device, upload a file (presigned PUT to the stack's S3), attach it, and
// download it as the second account (302 from the gateway to S3, exact bytes). Every host port
// is a free one, so the shared engines of `npm run infra:up` are never touched. Then, from the
// host, each engine's credentials: a service's Kafka user is refused another service's topics, a
// wrong password or none is refused by Kafka and Cassandra, and messaging's Cassandra role reaches
// its keyspace only. Run by `npm test` where Docker is available or installable
// (tools/setup/docker.sh).
import { createHash, randomBytes } from 'node:crypto';
import { type FileMeta } from '@chat/contracts';
import { waitFor } from '@chat/testing';
import { ChatUser, type Device } from '../support/chat-client';
import { ComposeStack } from './compose-stack';
import { cql, kafkaProduce, kafkaSubscribe, type Login } from './engine-credentials';

jest.setTimeout(600_000);

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
/** A login as docker/compose.yaml sets it up: the variable's value, else its local default. */
const login = (username: string, variable: string, fallback: string): Login => ({ username, password: process.env[variable] ?? fallback });

describe('docker/compose.yaml (smoke)', () => {
  let stack: ComposeStack;
  const devices: Device[] = [];

  beforeAll(async () => {
    stack = await ComposeStack.up();
    try {
      await stack.ready(420_000);
    } catch (error) {
      process.stderr.write(`compose smoke: the stack did not get ready\n${await stack.diagnostics()}\n`);
      throw error;
    }
  }, 600_000);

  afterAll(async () => {
    devices.forEach((device) => device.close());
    await stack?.down();
  }, 120_000);

  it('register, send, receive on a second account, upload and download a file, all through the one origin', async () => {
    const [ada, bob] = await Promise.all([ChatUser.register(stack.origin, 'ada'), ChatUser.register(stack.origin, 'bob')]);
    const { workspace, general } = await ada.createWorkspace();
    await ada.addToWorkspace(workspace.id, bob);
    const adaDevice = await ada.connect(stack.origin);
    const bobDevice = await bob.connect(stack.origin);
    devices.push(adaDevice, bobDevice);

    const sent = await adaDevice.sendOk(general.id, 'hello from the containers');
    await waitFor('message:new on the second account', () => bobDevice.messagesOf(general.id).find((m) => m.id === sent.id), 60_000);
    expect(bobDevice.messagesOf(general.id).find((m) => m.id === sent.id)?.text).toBe('hello from the containers');

    const bytes = new Uint8Array(Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(100_000)]));
    const started = await ada.request<{ file: FileMeta; upload: { url: string; method: string; headers: Record<string, string> } }>('POST', '/api/files', {
      name: 'plan.pdf',
      contentType: 'application/pdf',
      size: bytes.length,
    });
    expect(started.status).toBe(201);
    // The presigned URL names the stack's S3 on its published port (S3_PUBLIC_ENDPOINT).
    expect(new URL(started.body.upload.url).port).toBe(String(stack.ports.s3));
    const put = await fetch(started.body.upload.url, { method: started.body.upload.method, headers: started.body.upload.headers, body: bytes });
    expect(put.status).toBe(200);
    const completed = await ada.request<{ file: FileMeta }>('POST', `/api/files/${started.body.file.id}/complete`);
    expect(completed.status).toBe(200);
    expect(completed.body.file.status).toBe('ready');

    const attached = await adaDevice.send({ channelId: general.id, text: 'the plan', fileIds: [started.body.file.id] }, 60_000);
    if (!attached.ok) throw new Error(`send with the file: ${attached.error.code} ${attached.error.message}`);

    const redirect = await waitFor(
      'the file to be downloadable by the second account',
      async () => {
        const answer = await fetch(`${stack.origin}/api/files/${started.body.file.id}`, {
          redirect: 'manual',
          headers: { authorization: `Bearer ${await bob.token()}` },
        });
        return answer.status === 302 ? answer : undefined;
      },
      60_000,
      500,
    );
    const downloaded = await fetch(redirect.headers.get('location') ?? '');
    expect(downloaded.status).toBe(200);
    expect(sha256(new Uint8Array(await downloaded.arrayBuffer()))).toBe(sha256(bytes));
  });

  it("gives each service its own engine credentials: Kafka refuses another service's topics, wrong or missing logins; Cassandra's messaging role reaches its keyspace only", async () => {
    const gateway = login('gateway', 'KAFKA_GATEWAY_PASSWORD', 'local-gateway');
    const presence = login('presence', 'KAFKA_PRESENCE_PASSWORD', 'local-presence');
    const kafka = stack.ports.kafka;
    const bus = {
      gatewayReadsItsReplies: await kafkaSubscribe(kafka, gateway, 'chat.command.reply.v1', 'gateway.compose-credentials'),
      presenceReadsItsSignals: await kafkaSubscribe(kafka, presence, 'chat.presence.signal.v1', 'presence.compose-credentials'),
      presenceReadsCommands: await kafkaSubscribe(kafka, presence, 'chat.channel.command.v1', 'presence.compose-credentials'),
      presenceWritesSequenced: await kafkaProduce(kafka, presence, 'chat.message.sequenced.v1'),
      gatewayWritesReplies: await kafkaProduce(kafka, gateway, 'chat.command.reply.v1'),
      wrongPassword: await kafkaSubscribe(kafka, { username: 'presence', password: `${presence.password}-wrong` }, 'chat.presence.signal.v1', 'presence.compose-credentials'),
      anonymous: await kafkaProduce(kafka, undefined, 'chat.presence.signal.v1'),
    };
    expect(bus).toEqual({
      gatewayReadsItsReplies: 'ok',
      presenceReadsItsSignals: 'ok',
      presenceReadsCommands: 'TOPIC_AUTHORIZATION_FAILED',
      presenceWritesSequenced: 'TOPIC_AUTHORIZATION_FAILED',
      gatewayWritesReplies: 'TOPIC_AUTHORIZATION_FAILED',
      wrongPassword: 'KafkaJSSASLAuthenticationError',
      anonymous: expect.not.stringMatching(/^ok$/) as unknown,
    });

    const messaging = login('messaging', 'CASSANDRA_MESSAGING_PASSWORD', 'local-messaging');
    const superuser = login('cassandra', 'CASSANDRA_SUPERUSER_PASSWORD', 'local-superuser');
    const cassandra = stack.ports.cassandra;
    const store = {
      messagingReadsItsKeyspace: await cql(cassandra, messaging, 'SELECT version FROM chat_messaging.schema_migrations LIMIT 1'),
      messagingReadsRoles: await cql(cassandra, messaging, 'SELECT role FROM system_auth.roles'),
      messagingCreatesKeyspace: await cql(cassandra, messaging, "CREATE KEYSPACE compose_credentials WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}"),
      superuserReadsRoles: await cql(cassandra, superuser, 'SELECT role FROM system_auth.roles'),
      defaultSuperuserPassword: await cql(cassandra, { username: 'cassandra', password: 'cassandra' }, 'SELECT role FROM system_auth.roles'),
      wrongPassword: await cql(cassandra, { username: 'messaging', password: `${messaging.password}-wrong` }, 'SELECT version FROM chat_messaging.schema_migrations LIMIT 1'),
      anonymous: await cql(cassandra, undefined, 'SELECT version FROM chat_messaging.schema_migrations LIMIT 1'),
    };
    expect(store).toEqual({
      messagingReadsItsKeyspace: 'ok',
      messagingReadsRoles: 'Unauthorized',
      messagingCreatesKeyspace: 'Unauthorized',
      superuserReadsRoles: 'ok',
      defaultSuperuserPassword: 'AuthenticationError',
      wrongPassword: 'AuthenticationError',
      anonymous: 'AuthenticationError',
    });
  });
});
