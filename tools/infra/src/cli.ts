/**
 * Local engines as plain processes: `npm run infra:up | infra:down | infra:status`
 * (node -r @swc-node/register tools/infra/src/cli.ts <command>). See tools/infra/README.md.
 */
import { runDown } from './commands/down';
import { runStatus } from './commands/status';
import { type CommandContext, runUp } from './commands/up';
import * as path from 'node:path';
import { infraLayout, resolveInfraDir } from './layout';
import { withLock } from './lock';
import { consoleReporter } from './report';
import { parseBusChoice } from './engines/selection';

const USAGE = `usage: cli.ts <up|down|status> [--bus kafka|rabbitmq] [--cluster]
  up         start Kafka, Cassandra and S3Proxy (detached) and check PostgreSQL/Redis/RabbitMQ; waits until all answer
  down       stop what 'up' started in this checkout (never PostgreSQL/Redis/RabbitMQ)
  status     show what answers
  --bus      only one broker: kafka (no RabbitMQ check) or rabbitmq (no Kafka); default both
  --cluster  three Kafka brokers (KRaft) and three Cassandra nodes instead of one of each, beside
             the single nodes (own ports and addresses: tools/infra/src/cluster.ts)
env: INFRA_DIR (default <repo>/.infra), POSTGRES_URL, REDIS_URL, RABBITMQ_URL (RABBITMQ_USERNAME, RABBITMQ_PASSWORD), JAVA_HOME, MVN,
     CLUSTER_* (ports, addresses and heaps of the cluster: see tools/infra/README.md)`;

async function main(argv: readonly string[]): Promise<number> {
  // AWS SDK v3 warns on Node < 22 at first use; irrelevant for a local probe.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const env = process.env;
  const flags = argv.slice(1);
  const unknown = flags.filter((flag, i) => flag !== '--cluster' && flag !== '--bus' && !flag.startsWith('--bus=') && flags[i - 1] !== '--bus');
  if (unknown.length > 0) {
    console.error(`unknown option ${unknown.join(' ')}\n${USAGE}`);
    return 2;
  }
  const context: CommandContext = {
    cluster: flags.includes('--cluster'),
    layout: infraLayout(resolveInfraDir(env, process.cwd())),
    env,
    reporter: consoleReporter(),
    write: (text) => console.log(text),
    bus: parseBusChoice(argv.slice(1)),
  };
  const command = argv[0];
  // up/down of one INFRA_DIR run one at a time (several engineers/tests may call infra:up at once).
  const locked = (work: () => Promise<number>): Promise<number> =>
    withLock(
      {
        file: path.join(context.layout.root, 'infra.lock'),
        timeoutMs: 10 * 60_000,
        say: (message) => context.reporter.say('infra', message),
      },
      work,
    );
  switch (command) {
    case 'up':
      return locked(() => runUp(context));
    case 'down':
      return locked(() => runDown(context));
    case 'status':
      return runStatus(context);
    default:
      console.error(USAGE);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

// Exit explicitly: client libraries may keep sockets/timers alive after a failed probe.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
