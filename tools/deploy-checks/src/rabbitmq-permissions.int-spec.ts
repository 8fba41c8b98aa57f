// The RabbitMQ users of k8s/overlays/rabbitmq against the real broker (RABBITMQ_URL, else the
// local 3.10 on 5672): each service's Permission, as rendered, lets it do everything the transport
// does for that service (declare its topics' streams and dead letters, publish through the default
// exchange with confirms, read the streams it consumes from an offset, hold its groups' leases and
// member queue) and refuses what belongs to others. Each run works in a vhost of its own, made and
// removed with rabbitmqctl, so the real names of the manifests cannot meet another run's queues.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { deadLetterTopicName } from '@chat/contracts';
import { leaseQueueName, membersQueueName, streamName } from '@chat/kafka';
import { type ChannelModel, connect, type ConfirmChannel } from 'amqplib';
import { renderOverlay } from './render';
import { KAFKA_ACCESS, type Service } from './service-access';

const RABBITMQ_URL = new URL(process.env['RABBITMQ_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672');
const run = `perm-check-${randomUUID().slice(0, 8)}`;
const password = randomUUID();
const rabbitmqctl = (...args: string[]): Promise<unknown> => promisify(execFile)('rabbitmqctl', args, { timeout: 60_000 });

interface Permissions {
  configure: string;
  write: string;
  read: string;
}

function permissionsOf(service: Service): Permissions {
  const permission = renderOverlay('rabbitmq').find((o) => o.kind === 'Permission' && o.metadata.name === `chat-${service}`) as { spec: { permissions: Permissions } } | undefined;
  if (!permission) throw new Error(`no Permission chat-${service} in k8s/overlays/rabbitmq`);
  return permission.spec.permissions;
}

/** Runs `step` on a fresh confirm channel of `connection`; resolves with the broker's refusal code, or 'ok'. */
async function attempt(connection: ChannelModel, step: (channel: ConfirmChannel) => Promise<unknown>): Promise<string> {
  const channel = await connection.createConfirmChannel();
  channel.on('error', () => undefined);
  try {
    await step(channel);
    await channel.close();
    return 'ok';
  } catch (error) {
    const code = (error as { code?: number }).code;
    return code === 403 ? 'refused' : `failed: ${(error as Error).message}`;
  }
}

/** A publisher-confirm callback settling a promise: nacked or failed is an error. */
const confirmed =
  (resolve: () => void, reject: (error: Error) => void) =>
  (error: unknown): void =>
    error ? reject(error instanceof Error ? error : new Error('the broker did not confirm the publish')) : resolve();
const declareStream = (channel: ConfirmChannel, name: string): Promise<unknown> =>
  channel.assertQueue(name, { durable: true, arguments: { 'x-queue-type': 'stream', 'x-max-age': '7D' } });
const publish = (channel: ConfirmChannel, queue: string): Promise<void> =>
  new Promise((resolve, reject) => channel.publish('', queue, Buffer.from('{}'), { persistent: true, mandatory: true }, confirmed(resolve, reject)));

describe('RabbitMQ users of k8s/overlays/rabbitmq on the real broker', () => {
  const connections: ChannelModel[] = [];

  beforeAll(async () => {
    await rabbitmqctl('add_vhost', run);
    // The administrator of the run's vhost (what the Cluster Operator's default user is there).
    await rabbitmqctl('set_permissions', '-p', run, RABBITMQ_URL.username || 'guest', '.*', '.*', '.*');
  });

  afterAll(async () => {
    for (const connection of connections) await connection.close().catch(() => undefined);
    for (const service of Object.keys(KAFKA_ACCESS)) await rabbitmqctl('delete_user', `${run}-${service}`).catch(() => undefined);
    await rabbitmqctl('delete_vhost', run);
  });

  async function connectAs(service: Service): Promise<ChannelModel> {
    const { configure, write, read } = permissionsOf(service);
    await rabbitmqctl('add_user', `${run}-${service}`, password);
    await rabbitmqctl('set_permissions', '-p', run, `${run}-${service}`, configure, write, read);
    const url = new URL(RABBITMQ_URL);
    url.username = `${run}-${service}`;
    url.password = password;
    url.pathname = `/${encodeURIComponent(run)}`;
    const connection = await connect(url.toString());
    connection.on('error', () => undefined);
    connections.push(connection);
    return connection;
  }

  it.each(Object.entries(KAFKA_ACCESS) as [Service, (typeof KAFKA_ACCESS)[Service]][])(
    '%s: everything the transport does for it is allowed, others\u2019 streams and groups are refused',
    async (service, access) => {
      const connection = await connectAs(service);
      const outcomes: Record<string, string> = {};
      for (const topic of new Set([...access.produces, ...access.consumes])) {
        const [stream, deadLetters] = [streamName(topic, 0), streamName(deadLetterTopicName(topic), 0)];
        outcomes[`declare ${stream} and ${deadLetters}`] = await attempt(connection, async (c) => {
          await declareStream(c, stream);
          await declareStream(c, deadLetters);
          await c.checkQueue(stream);
        });
        // A producer appends; a consumer parks what can never succeed in the dead letters.
        outcomes[`publish to ${access.produces.includes(topic) ? stream : deadLetters}`] = await attempt(connection, (c) => publish(c, access.produces.includes(topic) ? stream : deadLetters));
        outcomes[`read ${stream}`] = await attempt(connection, async (c) => {
          await c.prefetch(10);
          await c.consume(stream, () => undefined, { noAck: false, arguments: { 'x-stream-offset': 'next' } });
        });
      }
      for (const group of access.group ? [service, `${service}.shares`] : []) {
        outcomes[`hold the lease ${leaseQueueName(group, 0)} and the member queue ${membersQueueName(group)}`] = await attempt(connection, async (c) => {
          await c.assertQueue(leaseQueueName(group, 0), { durable: true, arguments: { 'x-queue-type': 'quorum', 'x-single-active-consumer': true } });
          await c.consume(leaseQueueName(group, 0), () => undefined, { noAck: false });
          await new Promise<void>((resolve, reject) => c.sendToQueue(leaseQueueName(group, 0), Buffer.from('{}'), { persistent: true }, confirmed(resolve, reject)));
          await c.assertQueue(membersQueueName(group), { durable: true, arguments: { 'x-expires': 86_400_000 } });
          await c.consume(membersQueueName(group), () => undefined, { noAck: true });
        });
      }
      const expected: Record<string, string> = Object.fromEntries(
        Object.keys(outcomes).map((step) => [step, step.startsWith('read ') && !access.consumes.some((t) => step === `read ${streamName(t, 0)}`) ? 'refused' : 'ok']),
      );
      expect(outcomes).toEqual(expected);
      // Someone else's: a topic it never uses, another service's group.
      const foreignTopic = Object.values(KAFKA_ACCESS)
        .flatMap((a) => [...a.produces, ...a.consumes])
        .find((t) => !access.produces.includes(t) && !access.consumes.includes(t));
      if (foreignTopic) expect(await attempt(connection, (c) => declareStream(c, streamName(foreignTopic, 0)))).toBe('refused');
      const other = (Object.keys(KAFKA_ACCESS) as Service[]).find((s) => s !== service && KAFKA_ACCESS[s].group);
      expect(await attempt(connection, (c) => c.assertQueue(leaseQueueName(other ?? 'messaging', 0), { durable: true }))).toBe('refused');
    },
  );
});
