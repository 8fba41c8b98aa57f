// Consumes chat.channel.command.v1 (12 partitions keyed by channel id): several partitions at a
// time, and within a partition's batch of records the channels side by side, each channel's
// commands strictly one after another, so a channel's commands are applied in the order issued
// while one slow channel no longer holds up the other channels of its partition (a partition
// carries many channels). The kafka library validates each record against ChannelCommandSchema
// and commits a batch's offsets only after its handler returned. A failure anywhere retries the
// whole batch once every channel's chain has stopped (every command is idempotent: a redone send
// finds its claim and re-announces the same seq, which consumers deduplicate); when the retries
// are exhausted the whole batch is dead-lettered.
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ChannelCommandTopic } from '@chat/contracts';
import { type ConsumerHandle, KafkaConsumerFactory, type RecordOf, TRACE_HEADERS, traceOf } from '@chat/kafka';
import { APP_CONFIG } from '@chat/service-kit';
import { type MessagingConfig } from '../config';
import { ChannelCommandService } from './channel-command.service';

/** Records of one partition handed over at once (their channels run side by side). */
const COMMANDS_PER_BATCH = 200;

@Injectable()
export class ChannelCommandsConsumer implements OnApplicationBootstrap {
  private readonly logger = new Logger('ChannelCommandsConsumer');
  private handle: ConsumerHandle | undefined;

  constructor(
    private readonly consumers: KafkaConsumerFactory,
    private readonly commands: ChannelCommandService,
    @Inject(APP_CONFIG) private readonly config: MessagingConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.handle = await this.consumers.consume({
      groupId: this.config.MESSAGING_CONSUMER_GROUP,
      topics: [ChannelCommandTopic],
      fromBeginning: this.config.MESSAGING_CONSUME_FROM_BEGINNING,
      partitionsConsumedConcurrently: this.config.MESSAGING_COMMAND_CONCURRENCY,
      batchHandler: (records) => this.onBatch(records),
      maxBatchSize: COMMANDS_PER_BATCH,
    });
  }

  /** Settles once the consumer has joined its group and fetched (tests wait for it before producing). */
  ready(): Promise<void> {
    return this.handle ? this.handle.ready : Promise.reject(new Error('the channel command consumer has not started'));
  }

  private async onBatch(records: readonly RecordOf<typeof ChannelCommandTopic>[]): Promise<void> {
    const chains = new Map<string, RecordOf<typeof ChannelCommandTopic>[]>();
    for (const record of records) {
      const channelId = record.value.payload.channelId;
      const chain = chains.get(channelId);
      if (chain) chain.push(record);
      else chains.set(channelId, [record]);
    }
    const results = await Promise.allSettled(
      [...chains.values()].map(async (chain) => {
        for (const record of chain) await this.onRecord(record);
      }),
    );
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private async onRecord(record: RecordOf<typeof ChannelCommandTopic>): Promise<void> {
    const command = record.value;
    if (record.key !== command.payload.channelId) {
      // Still safe (every step is fenced), but the channel's order is no longer guaranteed.
      this.logger.warn({ key: record.key, channelId: command.payload.channelId, commandId: command.commandId }, 'command keyed by something other than its channel id');
    }
    await this.commands.handle(command, { ...traceOf(record.headers), [TRACE_HEADERS.commandSent]: String(record.timestamp) });
  }
}
