// `npm run dlq:replay -- --topic chat.channel.membership.v1 [options]`: publishes the letters
// parked in `<topic>.dlq` back to `<topic>` (see replayDeadLetters in @chat/kafka), on Kafka or on
// RabbitMQ (--bus, else BUS), once the cause that parked them is fixed. Exit 0 after reaching the
// end the DLQ had at the start, 1 on error, 2 on bad usage.
import { Logger } from '@nestjs/common';
import { replayDeadLetters } from '@chat/kafka';
import { parseReplayCommand, USAGE } from './replay-command';

export { USAGE } from './replay-command';

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const command = parseReplayCommand(argv, io.env);
  switch (command.kind) {
    case 'help':
      io.out(USAGE);
      return 0;
    case 'usage-error':
      io.err(`${command.message}\n${USAGE}`);
      return 2;
    case 'replay':
      break;
  }
  const { options } = command;
  try {
    const summary = await replayDeadLetters({
      ...options,
      onLetter: (l) => io.out(`${l.action.padEnd(8)} ${l.partition}/${l.offset} key=${l.key ?? '-'} group=${l.group ?? '-'} reason=${l.reason ?? '-'} error=${l.error ?? '-'}`),
    });
    io.out(
      `${summary.deadLetterTopic} → ${summary.sourceTopic}: ${options.dryRun ? `${summary.listed} listed` : `${summary.replayed} replayed`}, ${summary.skipped} skipped`,
    );
    return 0;
  } catch (error) {
    io.err(`dlq:replay failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (require.main === module) {
  // The RabbitMQ transport logs through Nest's Logger; a command line shows only its troubles.
  Logger.overrideLogger(['error', 'warn']);
  void main(process.argv.slice(2), { out: (line) => console.log(line), err: (line) => console.error(line), env: process.env }).then((code) => {
    process.exitCode = code;
  });
}
