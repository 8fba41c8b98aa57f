// The send pipeline's consumer: one consumer group over chat.channel.command.v1 and
// chat.message.sequenced.v1 with the co-partitioned assignment, so that this process owns
// partition p of both or of neither. For each owned partition it runs a PartitionSequencer
// (commands -> sequenced log, which gateways deliver from) and a PartitionStore (sequenced log ->
// Cassandra -> store progress on chat.message.stored.v1, the senders' acknowledgements -> the
// after-store steps); a rebalance revokes them all and starts new ones under new epochs.
// Records are pipelined (see PartitionPipeline of @chat/kafka): the fetch loop never waits for a
// channel, and offsets are committed up to the lowest unfinished record.
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ChannelCommandTopic, type DirectSend, type Message, MessageSequencedTopic, type ReplyTo } from '@chat/contracts';
import { type AssignedPartition, type ConsumerHandle, BusConsumers, BusProducer, PartitionOutbox, type PartitionPipeline, partitionOf, type RecordOf } from '@chat/kafka';
import { APP_CONFIG, SERVICE_IDENTITY, type ServiceIdentity } from '@chat/service-kit';
import { ChannelAccess } from '../channels/channel-access.service';
import { Clock } from '../common/clock';
import { type CommandResult, EventsPublisher } from '../common/events.publisher';
import { type MessagingConfig } from '../config';
import { applySteps, distinct } from '../pipeline/after-store';
import { SendSteps } from '../pipeline/send-steps';
import { type CommandPosition } from '../edits/change-write-time';
import { type ChangeCommand, ChannelCommandService } from './channel-command.service';
import { ChannelHeads } from './channel-heads';
import { ChannelHeadsRepository } from './channel-heads.repository';
import { DirectAddress } from './direct-address';
import { MessageBuckets } from './message-buckets';
import { MessagesRepository } from './messages.repository';
import { PartitionEpochsRepository } from './partition-epochs.repository';
import { PartitionSequencer } from './partition-sequencer';
import { PartitionStore } from './partition-store';
import { StoreAcks } from './store-acks';
import { StoreProgress } from './store-progress';

type PipelineTopic = typeof ChannelCommandTopic | typeof MessageSequencedTopic;

/** Records of one partition taken but not finished before the fetch loop waits (memory bound). */
const MAX_IN_FLIGHT_PER_PARTITION = 5_000;

@Injectable()
export class SendPipelineConsumer implements PartitionPipeline<PipelineTopic>, OnApplicationBootstrap {
  private readonly logger = new Logger('SendPipeline');
  private generation = 0;
  private sequencers = new Map<number, PartitionSequencer>();
  private stores = new Map<number, PartitionStore>();
  private readonly inFlight = new Map<string, number>();
  private handle: ConsumerHandle | undefined;

  constructor(
    private readonly consumers: BusConsumers,
    private readonly producer: BusProducer,
    private readonly epochs: PartitionEpochsRepository,
    private readonly progress: StoreProgress,
    private readonly acks: StoreAcks,
    private readonly access: ChannelAccess,
    private readonly steps: SendSteps,
    private readonly heads: ChannelHeads,
    private readonly headHints: ChannelHeadsRepository,
    private readonly messages: MessagesRepository,
    private readonly buckets: MessageBuckets,
    private readonly clock: Clock,
    private readonly events: EventsPublisher,
    private readonly changes: ChannelCommandService,
    private readonly address: DirectAddress,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
    @Inject(APP_CONFIG) private readonly config: MessagingConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (ChannelCommandTopic.partitions !== MessageSequencedTopic.partitions) throw new Error('the command and sequenced topics must have as many partitions');
    this.handle = await this.consumers.consumePipeline({
      groupId: this.config.MESSAGING_CONSUMER_GROUP,
      topics: [ChannelCommandTopic, MessageSequencedTopic],
      fromBeginning: this.config.MESSAGING_CONSUME_FROM_BEGINNING,
      coPartitioned: true,
      pipeline: this,
    });
  }

  /** Settles once the consumer has joined its group and fetched (tests wait for it before producing). */
  ready(): Promise<void> {
    return this.handle ? this.handle.ready : Promise.reject(new Error('the send pipeline has not started'));
  }

  assigned(partitions: readonly AssignedPartition<PipelineTopic>[], generation: number): void {
    for (const sequencer of this.sequencers.values()) sequencer.revoke();
    for (const store of this.stores.values()) store.revoke();
    this.sequencers = new Map();
    this.stores = new Map();
    this.acks.disownAll();
    this.inFlight.clear();
    this.generation = generation;
    // The process's channel budget, split evenly among its partitions (channels hash evenly over them).
    const owned = partitions.filter((p) => p.definition === ChannelCommandTopic).length;
    const maxChannels = Math.ceil(this.config.SEQUENCER_CHANNELS / Math.max(1, owned));
    for (const { definition, partition } of partitions) {
      if (definition === ChannelCommandTopic) this.sequencers.set(partition, this.sequencer(partition, maxChannels));
      else this.stores.set(partition, this.store(partition, maxChannels));
    }
    this.logger.log(`generation ${generation}: partitions ${[...this.sequencers.keys()].sort((a, b) => a - b).join(', ') || 'none'}`);
  }

  /**
   * A send handed over directly by a gateway (DirectCommandsEndpoint): true when this process's
   * sequencer of the channel's partition took it under exactly `epoch`.
   */
  submitDirect(command: DirectSend['command'], epoch: number, trace: Record<string, string>): boolean {
    const sequencer = this.sequencers.get(partitionOf(command.payload.channelId, ChannelCommandTopic.partitions));
    return sequencer ? sequencer.submitDirect(command, epoch, trace) : false;
  }

  async take(records: readonly RecordOf<PipelineTopic>[], generation: number): Promise<readonly Promise<void>[]> {
    const first = records[0];
    const never = records.map(() => new Promise<void>(() => undefined));
    if (!first || generation !== this.generation) return never;
    const key = `${first.topic}/${first.partition}`;
    while ((this.inFlight.get(key) ?? 0) > MAX_IN_FLIGHT_PER_PARTITION && generation === this.generation) await this.clock.sleep(5);
    let finished: Promise<void>[];
    if (first.definition === ChannelCommandTopic) {
      const sequencer = this.sequencers.get(first.partition);
      if (!sequencer) return never;
      finished = (records as RecordOf<typeof ChannelCommandTopic>[]).map((record) => sequencer.take(record));
    } else {
      const store = this.stores.get(first.partition);
      if (!store) return never;
      finished = store.take(records as RecordOf<typeof MessageSequencedTopic>[]);
    }
    this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + finished.length);
    for (const done of finished) void done.then(() => this.inFlight.set(key, (this.inFlight.get(key) ?? 1) - 1));
    return finished;
  }

  private sequencer(partition: number, maxChannels: number): PartitionSequencer {
    return new PartitionSequencer(partition, {
      owner: this.identity.instanceId,
      address: () => this.address.get(),
      owning: (epoch: number) => {
        const address = this.address.get();
        if (address) this.acks.own(partition, { epoch, address });
      },
      epochs: this.epochs,
      // Built here from validated commands and stored rows: not parsed again before sending.
      log: new PartitionOutbox(this.producer, MessageSequencedTopic, partition, { trusted: true }),
      progress: this.progress,
      access: this.access,
      steps: this.steps,
      heads: this.heads,
      messages: this.messages,
      buckets: this.buckets,
      clock: this.clock,
      reply: (replyTo: ReplyTo, commandId: string, result: CommandResult) => this.events.reply(replyTo, commandId, result),
      change: (command: ChangeCommand, position: CommandPosition) => this.changes.handle(command, position),
      logger: this.logger,
      maxChannels,
    });
  }

  private store(partition: number, maxChannels: number): PartitionStore {
    return new PartitionStore(partition, {
      epochs: this.epochs,
      messages: this.messages,
      heads: this.heads,
      headHints: this.headHints,
      buckets: this.buckets,
      acks: this.acks,
      project: (messages: readonly Message[]) =>
        applySteps(this.steps, distinct(messages), (step, error) => this.logger.warn({ err: error, step, partition, messages: messages.length }, 'an after-store step failed; the flush is retried')),
      progress: this.progress,
      clock: this.clock,
      logger: this.logger,
      maxChannels,
    });
  }
}
