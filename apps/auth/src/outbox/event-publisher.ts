// Where outbox events go: Kafka, through @chat/kafka's validating producer. The topics auth
// publishes are listed here; they are created (with their dead-letter topics) before the first
// publish, so auth starts and registers accounts while Kafka is still down.
import { Injectable } from '@nestjs/common';
import { SessionRevokedTopic, type TopicDefinition, UserRegisteredTopic } from '@chat/contracts';
import { BusAdmin, BusProducer } from '@chat/kafka';

export const PUBLISHED_TOPICS: readonly TopicDefinition[] = [UserRegisteredTopic, SessionRevokedTopic];

@Injectable()
export class EventPublisher {
  private readonly topics = new Map(PUBLISHED_TOPICS.map((topic) => [topic.name, topic]));
  private topicsReady: Promise<void> | undefined;

  constructor(
    private readonly producer: BusProducer,
    private readonly admin: BusAdmin,
  ) {}

  async publish(topicName: string, key: string, value: unknown): Promise<void> {
    const topic = this.topics.get(topicName);
    if (!topic) throw new Error(`auth does not publish to ${topicName}`);
    await this.ensureTopics();
    await this.producer.publish(topic, key, value);
  }

  private ensureTopics(): Promise<void> {
    this.topicsReady ??= this.admin.ensureTopics(PUBLISHED_TOPICS).catch((error: unknown) => {
      this.topicsReady = undefined;
      throw error;
    });
    return this.topicsReady;
  }
}
