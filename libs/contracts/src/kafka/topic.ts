import { type z } from 'zod';

/**
 * A Kafka topic as code: its name (domain.entity.event.version), how many partitions it is
 * created with, what its key is, and the schema every value is validated against on consume.
 */
export interface TopicDefinition<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly partitions: number;
  /** What the record key holds; records with the same key keep their order. */
  readonly key: string;
  readonly schema: S;
  readonly description: string;
}

export type TopicValue<T extends TopicDefinition> = z.infer<T['schema']>;

export function defineTopic<S extends z.ZodType>(definition: TopicDefinition<S>): TopicDefinition<S> {
  if (!/^[a-z]+(\.[a-z-]+)+\.v\d+$/.test(definition.name)) {
    throw new Error(`topic name ${definition.name} must look like domain.entity.event.v1`);
  }
  return definition;
}

/** Where payloads that fail validation (or keep failing) are parked, with the reason in headers. */
export function deadLetterTopicName(topic: string): string {
  return `${topic}.dlq`;
}
