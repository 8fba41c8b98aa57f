// `npm run dlq:replay -- --topic chat.channel.membership.v1 [options]`: publishes the letters
// parked in `<topic>.dlq` back to `<topic>` (see replayDeadLetters in @chat/kafka), once the cause
// that parked them is fixed. Exit 0 after reaching the end the DLQ had at the start, 1 on error,
// 2 on bad usage.
import { parseArgs } from 'node:util';
import { replayDeadLetters } from '@chat/kafka';

export const USAGE = `usage: npm run dlq:replay -- --topic TOPIC [--prefix P] [--brokers B] [--group G] [--reason R] [--dry-run]
  --topic TOPIC   the source topic's contract name, e.g. chat.channel.membership.v1 (its DLQ is TOPIC.dlq)
  --prefix P      the deployment's KAFKA_TOPIC_PREFIX (default: that variable, else none;
                  'npm start -- --run NAME' uses NAME.)
  --brokers B     comma-separated brokers (default: KAFKA_BROKERS, else 127.0.0.1:9092)
  --group G       only letters parked by this consumer group (without the prefix), e.g. files.members
  --reason R      only letters with this reason: handler-failed, not-json or schema-violation
  --dry-run       list the letters; publish and commit nothing
Progress is kept in the consumer group <prefix>dlq-replay.<topic>[.<group>][.<reason>]: a second
run replays only what was parked since.`;

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let values: { topic?: string; prefix?: string; brokers?: string; group?: string; reason?: string; 'dry-run'?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        topic: { type: 'string' },
        prefix: { type: 'string' },
        brokers: { type: 'string' },
        group: { type: 'string' },
        reason: { type: 'string' },
        'dry-run': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if (!values.topic) {
    io.err(`--topic is required\n${USAGE}`);
    return 2;
  }
  if (values.reason !== undefined && !['handler-failed', 'not-json', 'schema-violation'].includes(values.reason)) {
    io.err(`--reason must be handler-failed, not-json or schema-violation\n${USAGE}`);
    return 2;
  }
  const brokers = (values.brokers ?? io.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((b) => b.trim()).filter(Boolean);
  const dryRun = values['dry-run'] ?? false;
  try {
    const summary = await replayDeadLetters({
      brokers,
      topic: values.topic,
      prefix: values.prefix ?? io.env['KAFKA_TOPIC_PREFIX'] ?? '',
      dryRun,
      ...(values.group !== undefined ? { groupId: values.group } : {}),
      ...(values.reason !== undefined ? { reason: values.reason } : {}),
      onLetter: (l) => io.out(`${l.action.padEnd(8)} ${l.partition}/${l.offset} key=${l.key ?? '-'} group=${l.group ?? '-'} reason=${l.reason ?? '-'} error=${l.error ?? '-'}`),
    });
    io.out(
      `${summary.deadLetterTopic} → ${summary.sourceTopic}: ${dryRun ? `${summary.listed} listed` : `${summary.replayed} replayed`}, ${summary.skipped} skipped`,
    );
    return 0;
  } catch (error) {
    io.err(`dlq:replay failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2), { out: (line) => console.log(line), err: (line) => console.error(line), env: process.env }).then((code) => {
    process.exitCode = code;
  });
}
