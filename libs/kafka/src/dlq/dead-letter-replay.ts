// `replayDeadLetters`: publishes the letters parked in `<topic>.dlq` back to `<topic>` once the
// cause that parked them is fixed, on the bus the deployment runs (BUS): Kafka (kafka-replay.ts)
// or RabbitMQ (rabbitmq-replay.ts), with the same filters, copies, report and resumable progress
// (letter-replay.ts). A replayed record reaches every consumer group of the source topic again, not
// only the one that parked it; that is safe because consumers are idempotent. `npm run dlq:replay
// -- --help` (tools/dlq) is the command.
import { type KafkaReplayOptions, replayKafkaDeadLetters } from './kafka-replay';
import { type ReplaySummary } from './letter-replay';
import { type RabbitMqReplayOptions, replayRabbitMqDeadLetters } from './rabbitmq-replay';

export type ReplayOptions = (KafkaReplayOptions & { bus?: 'kafka' }) | (RabbitMqReplayOptions & { bus: 'rabbitmq' });

export function replayDeadLetters(options: ReplayOptions): Promise<ReplaySummary> {
  return options.bus === 'rabbitmq' ? replayRabbitMqDeadLetters(options) : replayKafkaDeadLetters(options);
}
