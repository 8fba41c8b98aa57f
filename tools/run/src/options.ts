// `npm start -- [options]`: how many gateways, which port the one origin listens on, and an
// optional run name that isolates the system's data (tests and parallel local systems).
export interface RunOptions {
  gateways: number;
  /** The one origin (front door). */
  port: number;
  /** Services on free ports instead of 3001–3004 / 8081+. */
  freePorts: boolean;
  /** Isolates topics, keyspace, databases, bucket and Redis keys under this name. */
  run: string | null;
  build: boolean;
  /** Where the PIDs and ports of the running processes are written (JSON), for tests and tools. */
  stateFile: string | null;
  /** The message bus every service talks over (BUS): Kafka, or RabbitMQ at RABBITMQ_URL. */
  bus: 'kafka' | 'rabbitmq';
  /** On the local three-node Kafka and Cassandra cluster (`infra:up -- --cluster`). */
  cluster: boolean;
}

export const USAGE = `usage: npm start -- [--gateways N] [--port P] [--free-ports] [--run NAME] [--bus kafka|rabbitmq] [--cluster] [--no-build] [--state-file PATH]
  --gateways N     gateway instances behind the one origin (default 1), sticky by cookie
  --port P         port of the one origin (default 8080, or CHAT_PORT)
  --free-ports     services on free ports (implied by --run)
  --run NAME       isolate the data: topic prefix NAME., keyspace NAME_messaging, databases
                   NAME_auth / NAME_files, bucket NAME-files, Redis key prefix NAME.auth:
  --bus B          kafka (default, or BUS) or rabbitmq: RabbitMQ at RABBITMQ_URL (default
                   amqp://127.0.0.1:5672, guest/guest), Kafka is then not started
  --cluster        on three Kafka brokers and three Cassandra nodes (replication 3, acks=all,
                   LOCAL_QUORUM; tools/infra/src/cluster.ts) instead of one of each; data
                   isolated as by --run cluster unless --run is given (usual ports)
  --no-build       serve the web client as last built (apps/web/dist)
  --state-file F   write {url, processes: [{name, pid, port}]} to F whenever it changes`;

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): RunOptions {
  const options: RunOptions = {
    gateways: 1,
    port: Number(env['CHAT_PORT'] ?? 8080),
    freePorts: false,
    run: null,
    build: true,
    stateFile: null,
    bus: busName('BUS', env['BUS'] ?? 'kafka'),
    cluster: false,
  };
  const args = [...argv];
  const value = (flag: string): string => {
    const next = args.shift();
    if (next === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
    return next;
  };
  while (args.length > 0) {
    const arg = args.shift() as string;
    const [flag, inline] = arg.includes('=') ? (arg.split('=', 2) as [string, string]) : [arg, undefined];
    const take = (): string => inline ?? value(flag);
    switch (flag) {
      case '--gateways':
        options.gateways = positiveInt(flag, take());
        break;
      case '--port':
        options.port = positiveInt(flag, take());
        break;
      case '--free-ports':
        options.freePorts = true;
        break;
      case '--run': {
        const run = take();
        if (!/^[a-z][a-z0-9]{0,40}$/.test(run)) throw new Error(`--run must be lower-case letters and digits (got ${run})`);
        options.run = run;
        options.freePorts = true;
        break;
      }
      case '--bus':
        options.bus = busName(flag, take());
        break;
      case '--cluster':
        options.cluster = true;
        break;
      case '--no-build':
        options.build = false;
        break;
      case '--state-file':
        options.stateFile = take();
        break;
      case '--help':
      case '-h':
        throw new Error(USAGE);
      default:
        throw new Error(`unknown option ${arg}\n${USAGE}`);
    }
  }
  // The cluster's data is not the single nodes': its own databases, bucket and Redis keys too.
  if (options.cluster && options.run === null) options.run = 'cluster';
  return options;
}

function busName(flag: string, raw: string): RunOptions['bus'] {
  if (raw !== 'kafka' && raw !== 'rabbitmq') throw new Error(`${flag} must be kafka or rabbitmq (got ${raw})`);
  return raw;
}

function positiveInt(flag: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${flag} must be a positive integer (got ${raw})`);
  return n;
}
