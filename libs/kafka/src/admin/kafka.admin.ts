// Creates the topics a service declares, with their dead-letter topics, at the partition counts
// written in the contracts. Topics are never auto-created: a typo in a topic name must fail, not
// silently create a one-partition topic.
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { deadLetterTopicName, type TopicDefinition } from '@chat/contracts';
import { type Admin, type ITopicMetadata } from 'kafkajs';
import { type BusAdmin, type TopicDescription } from '../bus/bus';
import { KafkaClients } from '../kafka-clients';
import { KAFKA_OPTIONS, physicalName, type ResolvedKafkaOptions } from '../kafka.options';

export type { TopicDescription };

const LEADER_WAIT_MS = 30_000;
const LEADER_POLL_MS = 200;

@Injectable()
export class KafkaAdmin implements BusAdmin, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('KafkaAdmin');
  private readonly admin: Admin;
  private connecting: Promise<void> | undefined;

  constructor(
    clients: KafkaClients,
    @Inject(KAFKA_OPTIONS) private readonly options: ResolvedKafkaOptions,
  ) {
    this.admin = clients.main.admin();
  }

  async onModuleInit(): Promise<void> {
    if (this.options.topics.length > 0) await this.ensureTopics(this.options.topics);
  }

  /**
   * Creates whichever of the topics and their `.dlq` topics are missing, and waits until every
   * partition has a leader. Safe when several processes race: a topic another one created first
   * (TOPIC_ALREADY_EXISTS) counts as created. An existing topic's partition count is never changed
   * (that would move keys to other partitions and break their order); a mismatch is logged.
   */
  async ensureTopics(definitions: readonly TopicDefinition[]): Promise<void> {
    const wanted = new Map<string, number>();
    for (const definition of definitions) {
      const name = physicalName(this.options, definition.name);
      wanted.set(name, definition.partitions);
      wanted.set(deadLetterTopicName(name), definition.partitions);
    }
    if (wanted.size === 0) return;
    await this.connect();
    const existing = new Set(await this.admin.listTopics());
    const missing = [...wanted].filter(([name]) => !existing.has(name));
    if (missing.length > 0) {
      const createdAll = await this.admin.createTopics({
        topics: missing.map(([topic, numPartitions]) => ({ topic, numPartitions, replicationFactor: this.options.replicationFactor })),
        // kafkajs's own wait gives up on UNKNOWN_TOPIC_OR_PARTITION, which a topic another process is
        // still creating answers; waitForLeaders below tolerates it.
        waitForLeaders: false,
      });
      this.logger.log(
        createdAll
          ? `created topics ${missing.map(([name]) => name).join(', ')}`
          : `topics ${missing.map(([name]) => name).join(', ')} were (partly) created by another process`,
      );
    }
    const described = await this.waitForLeaders([...wanted.keys()]);
    for (const topic of described) {
      const declared = wanted.get(topic.name);
      if (declared !== undefined && declared !== topic.partitions) {
        this.logger.error(`topic ${topic.name} has ${topic.partitions} partitions but its definition declares ${declared}; left as it is`);
      }
    }
  }

  /** Partition counts of existing topics, by physical name (a missing topic is an error). */
  async describeTopics(definitions: readonly TopicDefinition[]): Promise<TopicDescription[]> {
    await this.connect();
    const names = definitions.map((d) => physicalName(this.options, d.name));
    const { topics } = await this.admin.fetchTopicMetadata({ topics: names });
    return topics.map((t) => ({ name: t.name, partitions: t.partitions.length }));
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.connecting === undefined) return;
    this.connecting = undefined;
    await this.admin.disconnect();
  }

  private connect(): Promise<void> {
    this.connecting ??= this.admin.connect().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  /** Creation is asynchronous in the cluster: poll metadata until every partition has a leader. */
  private async waitForLeaders(names: readonly string[]): Promise<TopicDescription[]> {
    const deadline = Date.now() + LEADER_WAIT_MS;
    for (;;) {
      let lastProblem: string;
      try {
        const { topics } = await this.admin.fetchTopicMetadata({ topics: [...names] });
        const leaderless = topics.filter((t) => !hasLeaders(t));
        if (leaderless.length === 0) return topics.map((t) => ({ name: t.name, partitions: t.partitions.length }));
        lastProblem = `no leader yet for ${leaderless.map((t) => t.name).join(', ')}`;
      } catch (error) {
        // UNKNOWN_TOPIC_OR_PARTITION and LEADER_NOT_AVAILABLE are normal right after creation.
        lastProblem = error instanceof Error ? error.message : String(error);
      }
      if (Date.now() > deadline) throw new Error(`topics not ready after ${LEADER_WAIT_MS} ms: ${lastProblem}`);
      await new Promise((resolve) => setTimeout(resolve, LEADER_POLL_MS));
    }
  }
}

function hasLeaders(topic: ITopicMetadata): boolean {
  return topic.partitions.length > 0 && topic.partitions.every((p) => p.leader >= 0 && p.partitionErrorCode === 0);
}
