// Command-line parameters of `npm run bench -- <scenario> [--name value ...]`, with their
// defaults and the hard bounds every run stays inside (connections, messages, seconds).
export const SCENARIOS = ['fanout', 'ramp', 'idle-sockets', 'history'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];
/** The message bus of a started system; `both` runs the scenario once on each, in one invocation. */
export const BUSES = ['kafka', 'rabbitmq', 'both'] as const;
export type BusChoice = (typeof BUSES)[number];
export type Bus = Exclude<BusChoice, 'both'>;

export interface BenchOptions {
  scenario: ScenarioName;
  /** An already running system (`npm start`) instead of one the harness starts. */
  target: string | undefined;
  users: number;
  /** Users per workspace (each user in one; channels' members drawn from their workspace). */
  workspaceSize: number;
  channels: number;
  /** Channels each user is a member of. */
  perUser: number;
  /** Offered sends per second (fanout), or the first, lowest step (ramp: default 20). */
  rate: number;
  /** Seconds of sending (fanout) or per step (ramp). */
  duration: number;
  /** Seconds of warm-up sends before measuring (not counted), to fill caches and warm the JIT. */
  warmup: number;
  step: number;
  maxRate: number;
  /** Delivery p99 above this (ms) ends a ramp. */
  p99Limit: number;
  sockets: number;
  rest: number;
  messages: number;
  pages: number;
  pageSize: number;
  workers: number;
  /** Source addresses 127.0.0.2 … for the load generator's sockets. */
  addresses: number;
  textBytes: number;
  relay: boolean;
  profile: boolean;
  /** Sends take the direct hop to the partition's owner (COMMAND_HOP_SECRET set); `--no-direct-hop`: through the bus only. */
  directHop: boolean;
  /** Gateway instances of the started system (sockets spread over them round robin). */
  gateways: number;
  /** Messaging instances of the started system (one consumer group: they share the partitions). */
  messaging: number;
  /** The bus the started system runs on (BUS, else kafka); `both`: one run on each, compared. */
  bus: BusChoice;
  out: string;
  /** A whole-run deadline in seconds; the harness kills everything and exits after it. */
  deadline: number;
}

export const LIMITS = {
  users: 50_000,
  sockets: 60_000,
  rate: 20_000,
  duration: 600,
  /** Sends in one invocation (rate × duration summed over steps). */
  sends: 2_000_000,
  messages: 5_000_000,
  workers: 16,
  addresses: 200,
  /** Gateway or messaging instances of a started system (each is a Node process on this machine). */
  instances: 8,
} as const;

const DEFAULTS: Omit<BenchOptions, 'scenario' | 'target' | 'out' | 'bus'> = {
  users: 2_000,
  workspaceSize: 100,
  channels: 200,
  perUser: 1,
  rate: 1_000,
  duration: 30,
  warmup: 5,
  step: 250,
  maxRate: 5_000,
  p99Limit: 100,
  sockets: 20_000,
  rest: 10,
  messages: 1_000_000,
  pages: 2_000,
  pageSize: 50,
  workers: 2,
  addresses: 20,
  textBytes: 64,
  relay: true,
  profile: false,
  directHop: true,
  gateways: 1,
  messaging: 1,
  deadline: 1_800,
};

/** The ramp's default first step, sends/s. */
export const RAMP_FIRST_RATE = 20;

/** The ramp's steps: --rate, then each multiple of --step above it, up to --max-rate. */
export function rampRates(o: Pick<BenchOptions, 'rate' | 'step' | 'maxRate'>): number[] {
  const step = Math.max(1, o.step);
  const rates: number[] = [];
  for (let rate = o.rate; rate <= o.maxRate; rate = (Math.floor(rate / step) + 1) * step) rates.push(rate);
  return rates;
}

const NUMERIC = new Set([
  'users', 'workspaceSize', 'channels', 'perUser', 'rate', 'duration', 'warmup', 'step', 'maxRate', 'p99Limit', 'sockets', 'rest',
  'messages', 'pages', 'pageSize', 'workers', 'addresses', 'textBytes', 'deadline', 'gateways', 'messaging',
]);
const FLAGS = new Set(['relay', 'profile', 'directHop']);

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

export function parseOptions(argv: readonly string[], now = new Date(), env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const [scenario, ...rest] = argv;
  if (!scenario || !(SCENARIOS as readonly string[]).includes(scenario)) {
    throw new Error(`usage: npm run bench -- <${SCENARIOS.join('|')}> [--name value ...] (got ${scenario ?? 'nothing'})`);
  }
  const values: Record<string, unknown> = { ...DEFAULTS, scenario, target: undefined, bus: env['BUS'] === 'rabbitmq' ? 'rabbitmq' : 'kafka' };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] ?? '';
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
    const raw = arg.slice(2);
    if (raw.startsWith('no-') && FLAGS.has(camel(raw.slice(3)))) {
      values[camel(raw.slice(3))] = false;
      continue;
    }
    const name = camel(raw);
    if (FLAGS.has(name)) {
      values[name] = true;
      continue;
    }
    const value = rest[++i];
    if (value === undefined) throw new Error(`--${raw} needs a value`);
    if (NUMERIC.has(name)) {
      const number = Number(value.replace(/_/g, ''));
      if (!Number.isFinite(number) || number < 0) throw new Error(`--${raw} must be a non-negative number`);
      values[name] = number;
    } else if (name === 'target' || name === 'out') {
      values[name] = value;
    } else if (name === 'bus') {
      if (!(BUSES as readonly string[]).includes(value)) throw new Error(`--bus must be ${BUSES.join(', ')} (got ${value})`);
      values[name] = value;
    } else {
      throw new Error(`unknown parameter --${raw}`);
    }
  }
  // The ramp starts at a trivial load (its p99 against the relay's is a target of its own).
  if (scenario === 'ramp' && !rest.includes('--rate')) values['rate'] = RAMP_FIRST_RATE;
  values['out'] ??= `bench/results/${now.toISOString().replace(/[:.]/g, '-')}-${scenario}`;
  const options = values as unknown as BenchOptions;
  check(options);
  return options;
}

function check(o: BenchOptions): void {
  const bound = (name: string, value: number, max: number, min = 0): void => {
    if (value < min || value > max) throw new Error(`--${name} must be within ${min}…${max} (got ${value})`);
  };
  bound('users', o.users, LIMITS.users, 1);
  bound('workspace-size', o.workspaceSize, LIMITS.users, 1);
  const workspaces = Math.ceil(o.users / o.workspaceSize);
  if (o.channels < workspaces) throw new Error(`--channels must be at least the number of workspaces (${workspaces} of --workspace-size ${o.workspaceSize}; got ${o.channels})`);
  bound('channels', o.channels, LIMITS.users, 1);
  bound('per-user', o.perUser, Math.min(Math.floor(o.channels / workspaces), 50), 1);
  bound('rate', o.rate, LIMITS.rate);
  bound('max-rate', o.maxRate, LIMITS.rate);
  bound('duration', o.duration, LIMITS.duration, 1);
  bound('sockets', o.sockets, LIMITS.sockets, 1);
  bound('messages', o.messages, LIMITS.messages, 1);
  bound('workers', o.workers, LIMITS.workers, 1);
  bound('addresses', o.addresses, LIMITS.addresses, 1);
  bound('text-bytes', o.textBytes, 4_000, 40);
  bound('page-size', o.pageSize, 200, 1);
  bound('pages', o.pages, 1_000_000, 1);
  for (const [name, count] of [['gateways', o.gateways], ['messaging', o.messaging]] as const) {
    bound(name, count, LIMITS.instances, 1);
    if (!Number.isInteger(count)) throw new Error(`--${name} must be a whole number (got ${count})`);
  }
  if (o.gateways > 1 || o.messaging > 1) {
    // A --target system has the instances it was started with; idle-sockets and history measure one gateway.
    if (o.target !== undefined) throw new Error('--gateways and --messaging start instances of the isolated system; a --target system has its own');
    if (o.scenario !== 'fanout' && o.scenario !== 'ramp') throw new Error(`--gateways and --messaging apply to fanout and ramp (got ${o.scenario})`);
  }
  if (o.bus === 'both' && o.target !== undefined) throw new Error('--bus both starts the system once on each bus; a --target system runs on the bus it was started with');
  const sends = o.scenario === 'ramp' ? rampRates(o).reduce((a, b) => a + b, 0) * o.duration : o.rate * o.duration;
  const runs = o.bus === 'both' ? 2 : 1;
  const total = sends * (o.relay ? 2 : 1) * runs;
  if (total > LIMITS.sends) {
    throw new Error(
      `this run would send up to ${Math.round(total)} messages${o.relay ? ' (the relay and the system each take the whole load)' : ''}${runs > 1 ? ', once per bus' : ''}; the bound is ${LIMITS.sends}`,
    );
  }
  if (o.target !== undefined) {
    const host = new URL(o.target).hostname;
    if (!/^127\.\d+\.\d+\.\d+$/.test(host) && host !== 'localhost') throw new Error(`--target must be a loopback address (got ${host})`);
  }
}
