// @chat/kafka: the bus library, the one place that talks to the message bus — Kafka (the only
// importer of kafkajs) or RabbitMQ (the only importer of amqplib), behind BusProducer,
// BusConsumers and BusAdmin (bus/bus.ts, docs/design/bus.md). For Kafka: a validating
// producer, consumer groups with schema checks on consume, retries and dead-letter topics,
// topic creation from the contracts, and the `kafka` readiness check.
export * from './kafka.module';
export { type KafkaOptions, type KafkaConsumerTuning, type KafkaSasl } from './kafka.options';
export { KafkaProducer, type OutgoingRecord, type PublishedRecord, type PublishOptions } from './producer/kafka.producer';
export { InvalidPayloadError, type DecodeFailureReason } from './codec/record.codec';
export { KafkaConsumerFactory } from './consumer/kafka-consumer.factory';
export * from './consumer/consume.options';
export { NonRetriableError, type RetryPolicy, DEFAULT_RETRY_POLICY } from './consumer/retry.policy';
export { DEAD_LETTER_HEADERS, type DeadLetterReason } from './consumer/dead-letter';
export { KafkaAdmin, type TopicDescription } from './admin/kafka.admin';
export { TRACE_HEADERS, type TraceHeaderName, TraceSampler, traceNow, traceOf, traceSpan } from './trace-headers';
export { OffsetTracker } from './consumer/offset-tracker';
export { PartitionOutbox } from './producer/partition-outbox';
export { replayDeadLetters, type ReplayOptions } from './dlq/dead-letter-replay';
export { REPLAYED_FROM_HEADER, type ReplaySummary, type ReplayedLetter } from './dlq/letter-replay';
export { type RestartPolicy, DEFAULT_RESTART_POLICY } from './consumer/consumer-restarts';
export { BusProducer, BusConsumers, BusAdmin, type BusKind } from './bus/bus';
export { BusModule, type BusEnvConfig } from './bus/bus.module';
/** The partition of a key on either bus (Kafka's murmur2 DefaultPartitioner; the RabbitMQ producer uses the same). */
export { partitionOf } from './rabbitmq/partitioner';
export { RabbitMqModule } from './rabbitmq/rabbitmq.module';
export { leaseQueueName, membersQueueName, type RabbitMqOptions, streamName } from './rabbitmq/rabbitmq.options';
