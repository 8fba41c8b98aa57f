// Test stand-in for messaging's Kafka side, through @chat/kafka like the real service: consumes
// the channel commands addressed to the gateway under test, sequences sends with a per-channel seq
// into the sequenced log (epoch 1) and reports them stored, as messaging's store does; answers
// other commands with a reply. Texts starting with `ignore` get no reply (to see the
// gateway time out) and texts starting with `refuse` are answered `forbidden`.
import { randomUUID } from 'node:crypto';
import { Global, type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  type ChannelCommand,
  ChannelCommandTopic,
  type ChannelMembershipChanged,
  ChannelMembershipTopic,
  type CommandReply,
  CommandReplyTopic,
  type Message,
  type ReplyTo,
  MessageSequencedTopic,
  MessageStoredTopic,
  MessageUpdatedTopic,
  ReadMarkerTopic,
} from '@chat/contracts';
import { type ConsumerHandle, KafkaConsumerFactory, KafkaModule, KafkaProducer } from '@chat/kafka';
import { ReadinessRegistry } from '@chat/service-kit';
import { uniqueName } from '@chat/testing';

@Global()
@Module({ providers: [ReadinessRegistry], exports: [ReadinessRegistry] })
class TestReadinessModule {}

export interface StandInOptions {
  brokers: readonly string[];
  topicPrefix: string;
  gatewayId: string;
}

export class MessagingStandIn {
  readonly commands: ChannelCommand[] = [];
  private readonly seqs = new Map<string, number>();

  private consumer: ConsumerHandle | undefined;

  private constructor(
    private readonly context: INestApplicationContext,
    private readonly gatewayId: string,
  ) {}

  static async start(options: StandInOptions): Promise<MessagingStandIn> {
    const context = await NestFactory.createApplicationContext(
      {
        module: class MessagingStandInModule {},
        imports: [TestReadinessModule, KafkaModule.forRoot({ brokers: options.brokers, clientId: uniqueName('gwtest-messaging'), topicPrefix: options.topicPrefix })],
      },
      { logger: false },
    );
    const standIn = new MessagingStandIn(context, options.gatewayId);
    standIn.consumer = await context.get(KafkaConsumerFactory).consume({
      groupId: 'messaging-stand-in',
      topics: [ChannelCommandTopic],
      broadcast: true,
      partitionsConsumedConcurrently: ChannelCommandTopic.partitions,
      handler: async (record) => {
        if (record.value.replyTo?.gatewayId === options.gatewayId) await standIn.handle(record.value);
      },
    });
    await standIn.consumer.ready;
    return standIn;
  }

  get producer(): KafkaProducer {
    return this.context.get(KafkaProducer);
  }

  nextSeq(channelId: string): number {
    const seq = (this.seqs.get(channelId) ?? 0) + 1;
    this.seqs.set(channelId, seq);
    return seq;
  }

  /**
   * Appends a send to the sequenced log (what gateways deliver), then reports it stored (what
   * acknowledges it, when `replyTo` names the send), as messaging's sequencer and store do.
   */
  async publishCreated(message: Message, replyTo?: ReplyTo): Promise<void> {
    const { partition, offset } = await this.producer.publish(MessageSequencedTopic, message.channelId, {
      kind: 'send',
      epoch: 1,
      message,
      ...(replyTo ? { replyTo } : {}),
    });
    await this.producer.publish(MessageStoredTopic, 'stand-in', { progress: [{ partition, storedBelow: String(BigInt(offset) + 1n), epoch: 1 }] });
  }

  async publishUpdated(message: Message): Promise<void> {
    await this.producer.publish(MessageUpdatedTopic, message.channelId, { message });
  }

  async publishMembership(change: ChannelMembershipChanged): Promise<void> {
    await this.producer.publish(ChannelMembershipTopic, change.channel.id, change);
  }

  async publishReadMarker(userId: string, channelId: string, seq: number): Promise<void> {
    await this.producer.publish(ReadMarkerTopic, userId, { userId, channelId, seq });
  }

  async close(): Promise<void> {
    await this.consumer?.stop();
    await this.context.close();
  }

  private async handle(command: ChannelCommand): Promise<void> {
    this.commands.push(command);
    if (!command.replyTo) return;
    const reply = (result: CommandReply['result']) =>
      this.producer.publish(CommandReplyTopic, this.gatewayId, { replyTo: command.replyTo as CommandReply['replyTo'], commandId: command.commandId, result });
    switch (command.type) {
      case 'message.send': {
        const { text, channelId, clientMsgId } = command.payload;
        if (text.startsWith('ignore')) return;
        if (text.startsWith('refuse')) {
          await reply({ ok: false, error: { code: 'forbidden', message: 'not a member of this channel' } });
          return;
        }
        const message: Message = {
          id: randomUUID(),
          channelId,
          seq: this.nextSeq(channelId),
          senderId: command.userId,
          clientMsgId,
          text,
          createdAt: new Date().toISOString(),
        };
        // Like messaging: the send is delivered from the log and acknowledged once reported stored.
        await this.publishCreated(message, command.replyTo);
        return;
      }
      case 'read':
        await this.publishReadMarker(command.userId, command.payload.channelId, command.payload.seq);
        await reply({ ok: true });
        return;
      case 'message.edit':
      case 'message.delete':
      case 'reaction.add':
      case 'reaction.remove':
        await reply({ ok: false, error: { code: 'unavailable', message: 'not implemented by the stand-in' } });
        return;
    }
  }
}
