// The direct hop of sends (docs/design/sequencer.md, "The direct hop"). A `message:send` goes
// straight to the messaging instance that owns its channel's partition, over one Socket.IO
// connection per instance, instead of through chat.channel.command.v1: one Kafka round trip less
// before the message is sequenced. The sequenced log stays the durable record and the bus the
// fallback: a send goes through the bus when the owner is unknown (PartitionOwners has not read an
// announcement yet) or unreachable, and a send the direct hop handed over is handed to the bus
// again (`moved`) when its owner refuses it, disconnects, stays silent past ACK_TIMEOUT_MS or is
// replaced by a later epoch. Sends are idempotent by clientMsgId, so a send both hops delivered is
// stored once and answered as a duplicate.
//
// Order: a socket's sends of a channel must be sequenced in the order it sent them. So a user's
// sends to a channel in flight from this gateway (a flow) all share one route: a new send takes
// the flow's route; a route that fails moves all its sends to the bus at once, in the order they
// were sent; and a flow switches from the bus to the direct hop only once the bus has answered its
// sends (new ones wait meanwhile). The owner takes a direct send only under exactly the epoch the
// gateway named, so two sends on one route can never land on two sequencers.
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { io, type Socket as ClientSocket } from 'socket.io-client';
import { ChannelCommandTopic, DIRECT_COMMANDS_NAMESPACE, DIRECT_SENDS_EVENT, type DirectSend, type DirectSendAnswer, MAX_DIRECT_SENDS, type PartitionOwner } from '@chat/contracts';
import { BusProducer, partitionOf } from '@chat/kafka';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import { PartitionOwners } from './partition-owners';
import { PendingAcks } from './pending-acks';

/** A send with the gateway's replyTo (the owner's answer comes through the store's report or a reply). */
export type SendCommand = DirectSend['command'];

/** COMMAND_HOP_SECRET, shared with messaging; undefined: every send goes through the bus. */
export const COMMAND_HOP_SECRET = Symbol('COMMAND_HOP_SECRET');

/** An owner answers a direct send at once; silence this long means it is stopped or cut off. */
export const ACK_TIMEOUT_MS = 2_000;

interface Direct {
  address: string;
  partition: number;
  epoch: number;
}
type Route = 'bus' | Direct;

interface Entry {
  requestId: string;
  command: SendCommand;
  headers: Record<string, string> | undefined;
  /** The flow's key: one user's sends to one channel from this gateway. */
  flow: string;
  /** Where it was sent; undefined while it is held for a switch to the direct hop. */
  route: Route | undefined;
}

/** One user's sends to one channel from this gateway, kept in order (see the file's comment). */
interface Flow {
  route: Route;
  /** Sends handed to `route` and not answered yet. */
  sent: number;
  /** Sends waiting until the bus has answered `sent`, then going direct, in order. */
  held: Entry[];
}

const routeKey = ({ address, partition, epoch }: Direct): string => `${address}|${partition}|${epoch}`;
const partitionOfSend = (command: SendCommand): number => partitionOf(command.payload.channelId, ChannelCommandTopic.partitions);

@Injectable()
export class DirectHop implements OnModuleDestroy {
  private readonly logger = new Logger('DirectHop');
  /** Sends handed over and not answered yet, by request id, in the order they were sent. */
  private readonly entries = new Map<string, Entry>();
  private readonly flows = new Map<string, Flow>();
  private readonly connections = new Map<string, ClientSocket>();
  /** Direct sends of this turn of the event loop, per connection: one frame each (DIRECT_SENDS_EVENT). */
  private readonly batches = new Map<string, { send: DirectSend; requestId: string; route: Direct }[]>();
  /** Per partition, the route that failed there: not used again until the partition's owner changes. */
  private readonly failed = new Map<number, string>();
  private closing = false;

  constructor(
    @Inject(COMMAND_HOP_SECRET) private readonly secret: string | undefined,
    private readonly owners: PartitionOwners,
    private readonly producer: BusProducer,
    private readonly pending: PendingAcks,
    private readonly metrics: GatewayMetrics,
  ) {
    if (secret) owners.onChange((partition, owner) => this.ownerChanged(partition, owner));
  }

  get enabled(): boolean {
    return this.secret !== undefined;
  }

  /**
   * Hands a send to its route. A flow that has sends in flight on the bus while the direct hop
   * has become available holds new sends until the bus has answered those (a direct send could
   * overtake them), then sends the held ones directly: once per switch, for one ack's time. A
   * failure to hand a send to the bus settles it `unavailable`.
   */
  send(requestId: string, command: SendCommand, headers?: Record<string, string>): Promise<void> {
    const key = `${command.userId}/${command.payload.channelId}`;
    const best = this.best(partitionOfSend(command));
    const entry: Entry = { requestId, command, headers, flow: key, route: undefined };
    this.entries.set(requestId, entry);
    let flow = this.flows.get(key);
    if (!flow) {
      flow = { route: best, sent: 0, held: [] };
      this.flows.set(key, flow);
    }
    if (flow.held.length > 0 || (flow.sent > 0 && flow.route === 'bus' && best !== 'bus')) {
      flow.held.push(entry);
      this.metrics.sendRoutes.inc({ route: 'held' });
      return Promise.resolve();
    }
    if (flow.sent === 0) flow.route = best;
    this.dispatch(flow, entry);
    return Promise.resolve();
  }

  /** The send's answer came (or its socket went): forget it, and release what waited for it. */
  finished(requestId: string): void {
    const entry = this.entries.get(requestId);
    if (!entry) return;
    this.entries.delete(requestId);
    const flow = this.flows.get(entry.flow);
    if (!flow) return;
    if (entry.route === undefined) flow.held = flow.held.filter((e) => e !== entry);
    else flow.sent--;
    if (flow.sent > 0) return;
    if (flow.held.length === 0) {
      this.flows.delete(entry.flow);
      return;
    }
    const [first] = flow.held;
    if (!first) return;
    flow.route = this.best(partitionOfSend(first.command));
    const held = flow.held;
    flow.held = [];
    for (const e of held) this.dispatch(flow, e);
  }

  onModuleDestroy(): void {
    this.closing = true;
    for (const connection of this.connections.values()) connection.close();
    this.connections.clear();
  }

  private best(partition: number): Route {
    const owner = this.owners.ownerOf(partition);
    if (!owner) return 'bus';
    const route = { address: owner.address, partition, epoch: owner.epoch };
    if (this.failed.get(partition) === routeKey(route)) return 'bus';
    return this.connection(owner.address).connected ? route : 'bus';
  }

  private dispatch(flow: Flow, entry: Entry): void {
    const route = flow.route;
    entry.route = route;
    flow.sent++;
    const { requestId, command, headers } = entry;
    if (route === 'bus') {
      this.metrics.sendRoutes.inc({ route: 'bus' });
      this.toBus(entry);
      return;
    }
    this.metrics.sendRoutes.inc({ route: 'direct' });
    const send: DirectSend = { epoch: route.epoch, command, ...(headers ? { trace: headers } : {}) };
    const batch = this.batches.get(route.address);
    if (batch) {
      batch.push({ send, requestId, route });
      if (batch.length >= MAX_DIRECT_SENDS) this.flush(route.address);
      return;
    }
    this.batches.set(route.address, [{ send, requestId, route }]);
    setImmediate(() => this.flush(route.address));
  }

  /** Sends one connection's batch as one frame; a send not accepted fails its route. */
  private flush(address: string): void {
    const queued = this.batches.get(address);
    if (!queued) return;
    this.batches.delete(address);
    // Sends answered or moved to the bus (the connection dropped) since they were queued stay out.
    const batch = queued.filter(({ requestId, route }) => this.entries.get(requestId)?.route === route);
    const connection = this.connections.get(address);
    if (!connection?.connected || batch.length === 0) return;
    connection
      .timeout(ACK_TIMEOUT_MS)
      .emit(
        DIRECT_SENDS_EVENT,
        batch.map((b) => b.send),
        (error: Error | null, answers?: DirectSendAnswer[]) => {
          batch.forEach(({ requestId, route }, i) => {
            const answer = error ? undefined : answers?.[i];
            if (answer?.accepted) return;
            // Answered meanwhile, or already moved with its route.
            if (this.entries.get(requestId)?.route !== route) return;
            this.logger.warn({ address, partition: route.partition, epoch: route.epoch, reason: error ? 'no answer' : answer ? answer.reason : 'no answer for it' }, 'direct hop failed; its sends go through the bus');
            this.fail(route);
          });
        },
      );
  }

  private toBus(entry: Entry): void {
    this.producer.publish(ChannelCommandTopic, entry.command.payload.channelId, entry.command, entry.headers).catch((error: unknown) => {
      this.logger.warn(`could not hand a send to the bus: ${error instanceof Error ? error.message : String(error)}`);
      this.pending.settle(entry.requestId, { ok: false, error: { code: 'unavailable', message: 'the command could not be queued; try again' } });
    });
  }

  /** A route failed: its sends go through the bus, in the order they were sent, and it is not used again. */
  private fail(route: Direct): void {
    this.failed.set(route.partition, routeKey(route));
    this.moveToBus((r) => r.address === route.address && r.partition === route.partition && r.epoch === route.epoch);
  }

  private ownerChanged(partition: number, owner: PartitionOwner): void {
    this.failed.delete(partition);
    this.moveToBus((r) => r.partition === partition && r.epoch < owner.epoch);
    // Connect ahead of the first send; drop connections nobody owns through and nothing waits on.
    this.connection(owner.address);
    const wanted = this.owners.addresses();
    for (const entry of this.entries.values()) if (entry.route && entry.route !== 'bus') wanted.add(entry.route.address);
    for (const [address, connection] of this.connections) {
      if (wanted.has(address)) continue;
      this.connections.delete(address);
      connection.close();
    }
  }

  /** Hands the sends of matching routes to the bus, in the order they were sent; their flows stay on the bus. */
  private moveToBus(matches: (route: Direct) => boolean): void {
    if (this.closing) return;
    for (const flow of this.flows.values()) if (flow.route !== 'bus' && matches(flow.route)) flow.route = 'bus';
    for (const entry of this.entries.values()) {
      if (entry.route === undefined || entry.route === 'bus' || !matches(entry.route)) continue;
      entry.route = 'bus';
      this.metrics.sendRoutes.inc({ route: 'moved' });
      this.toBus(entry);
    }
  }

  private connection(address: string): ClientSocket {
    const known = this.connections.get(address);
    if (known) return known;
    const connection = io(`${address}${DIRECT_COMMANDS_NAMESPACE}`, { transports: ['websocket'], auth: { secret: this.secret }, reconnectionDelayMax: 2_000 });
    let told = false;
    connection.on('connect', () => (told = false));
    connection.on('disconnect', (reason) => {
      if (this.closing) return;
      this.logger.warn({ address, reason }, 'direct hop disconnected; its sends go through the bus');
      this.moveToBus((r) => r.address === address);
    });
    connection.on('connect_error', (error) => {
      if (told) return;
      told = true;
      this.logger.warn({ address, err: error.message }, 'direct hop cannot connect; sends go through the bus until it can');
    });
    this.connections.set(address, connection);
    return connection;
  }
}
