// Consumes chat.channel.command.v1 (12 partitions keyed by channel id): several partitions at a
// time, each strictly in order, so a channel's commands are applied in the order issued. The kafka
// library validates each record against ChannelCommandSchema, retries a failing handler and commits
// an offset only after its handler returned (or the record was dead-lettered).
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ChannelCommandTopic } from '@chat/contracts';
import { type ConsumerHandle, KafkaConsumerFactory, type RecordOf, traceOf } from '@chat/kafka';
import { APP_CONFIG } from '@chat/service-kit';
import { type MessagingConfig } from '../config';
import { ChannelCommandService } from './channel-command.service';

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
      handler: (record) => this.onRecord(record),
    });
  }

  /** Settles once the consumer has joined its group and fetched (tests wait for it before producing). */
  ready(): Promise<void> {
    return this.handle ? this.handle.ready : Promise.reject(new Error('the channel command consumer has not started'));
  }

  private async onRecord(record: RecordOf<typeof ChannelCommandTopic>): Promise<void> {
    const command = record.value;
    if (record.key !== command.payload.channelId) {
      // Still safe (every step is fenced), but the channel's order is no longer guaranteed.
      this.logger.warn({ key: record.key, channelId: command.payload.channelId, commandId: command.commandId }, 'command keyed by something other than its channel id');
    }
    await this.commands.handle(command, traceOf(record.headers));
  }
}
