// `npm start`: the whole system on one machine. Brings up the local engines (tools/infra), builds
// the web client, starts every service as its own process with prefixed, coloured logs (one or
// more gateways), waits until each is ready, serves the one origin (front door: web client +
// sticky proxy to the gateways) and prints its URL. Ctrl-C stops the services and, if this run
// started them, the engines. A service that dies is restarted with backoff (./supervisor; the
// front door routes around a dead gateway meanwhile), and so is one that stays up but fails
// /health/live; only a service that died more than 5 times within 5 minutes stops everything.
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { KAFKA_BROKERS, KAFKA_SASL_PORT, LOCAL_HOST, rabbitmqUrl, redisUrl } from '@chat/infra';
import { clusterServiceEnv } from '@chat/infra/cluster';
import { FrontDoor, type Upstream } from './front-door';
import { ensureCassandraRoles, localCassandraAsksForLogin, localCassandraRoles } from './local-cassandra-roles';
import { ensureKafkaUsers, localKafkaUsers } from './local-kafka-users';
import { ensureRedisUsers, localRedisUsers } from './local-redis-users';
import { localSecrets } from './local-secrets';
import { parseOptions, type RunOptions, USAGE } from './options';
import { LivenessWatch, Supervisor } from './supervisor';
import { DEFAULT_PORTS, localServices, type ServicePorts, type ServiceSpec } from './services';
import { assertProjectNode } from '@chat/infra/node-version';

assertProjectNode();

const ROOT = join(__dirname, '..', '..', '..');
const WEB_DIST = join(ROOT, 'apps', 'web', 'dist');
const INFRA = ['-r', '@swc-node/register', 'tools/infra/src/cli.ts'];
const children = new Map<string, ChildProcess>();
let stopping = false;
let frontDoor: FrontDoor | null = null;
let options: RunOptions;
let specs: ServiceSpec[] = [];
let upstreams: Upstream[] = [];

function say(message: string): void {
  process.stdout.write(`\x1b[1m[start]\x1b[0m ${message}\n`);
}

function infra(command: 'up' | 'down' | 'status', quiet = false): Promise<number> {
  // Asynchronous, so the web build's output keeps flowing while the engines start. Only the
  // chosen bus's broker: RabbitMQ runs need no Kafka, Kafka runs no RabbitMQ.
  const child = spawn(process.execPath, [...INFRA, command, '--bus', options.bus, ...(options.cluster ? ['--cluster'] : [])], { cwd: ROOT, stdio: quiet ? 'ignore' : 'inherit' });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}

function prefixed(name: string, color: number, child: ChildProcess): void {
  const prefix = `\x1b[${color}m${name.padEnd(10)}|\x1b[0m `;
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${prefix}${line}\n`));
  }
}

const supervisor = new Supervisor({
  say,
  started: (name, child, restart) => {
    children.set(name, child);
    writeState();
    const spec = specs.find((s) => s.name === name);
    if (!restart || !spec) return;
    waitReady(spec).then(
      () => {
        say(`${name} is back`);
        if (spec.service === 'gateway') void frontDoor?.checkUpstreams();
      },
      (error: unknown) => say(`${name} did not come back: ${String(error)}`),
    );
  },
  gaveUp: () => {
    say('stopping everything');
    void shutdown(1);
  },
});

function spawnService(spec: ServiceSpec): ChildProcess {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', spec.entry], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(spec.port), LOG_PRETTY: process.env['LOG_PRETTY'] ?? 'true', ...spec.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  prefixed(spec.name, spec.color, child);
  child.on('exit', () => {
    if (children.get(spec.name) === child) children.delete(spec.name);
    writeState();
  });
  return child;
}

function launch(spec: ServiceSpec): ChildProcess {
  return supervisor.start({ name: spec.name, spawn: () => spawnService(spec) });
}

/** Restarts a service that is up but not live (e.g. a Kafka consumer whose restarts are spent). */
function watchLiveness(): void {
  const watches = new Map(specs.map((s) => [s.name, new LivenessWatch()]));
  const timer = setInterval(() => {
    for (const spec of specs) {
      const child = children.get(spec.name);
      if (!child || stopping) continue;
      fetch(`http://127.0.0.1:${spec.port}/health/live`, { signal: AbortSignal.timeout(5_000) })
        .then((answer) => answer.status, () => null)
        .then((status) => {
          if (!watches.get(spec.name)?.answered(status) || stopping || children.get(spec.name) !== child) return;
          say(`${spec.name} failed /health/live 3 times in a row; stopping it so that it is restarted`);
          child.kill('SIGTERM');
        }, () => undefined);
    }
  }, 10_000);
  timer.unref();
}

// On the cluster a first start applies messaging's migrations with every DDL statement agreed by
// three nodes: minutes on a busy 2-core machine.
async function waitReady(spec: ServiceSpec, timeoutMs = options.cluster ? 600_000 : 180_000): Promise<void> {
  const started = Date.now();
  let reported = started;
  while (Date.now() - started < timeoutMs) {
    if (stopping) return;
    try {
      if ((await fetch(`http://127.0.0.1:${spec.port}/health/ready`)).status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() - reported > 10_000) {
      reported = Date.now();
      say(`still waiting for ${spec.name} to be ready (${Math.round((reported - started) / 1000)} s)...`);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`${spec.name} was not ready within ${timeoutMs / 1000} s`);
}

function buildWeb(): Promise<void> {
  say('building the web client (apps/web, Vite)...');
  const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'apps/web/vite.config.mts', '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  prefixed('web', 37, child);
  children.set('web-build', child);
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => {
      children.delete('web-build');
      if (code === 0) {
        say('web client built');
        resolve();
      } else reject(new Error(`the web client build failed (exit ${code})`));
    });
  });
}

function redactedUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

function origin(): string {
  return `http://localhost:${options.port}`;
}

function writeState(): void {
  if (!options?.stateFile) return;
  const processes = specs.map((s) => ({ name: s.name, service: s.service, port: s.port, pid: children.get(s.name)?.pid ?? null }));
  writeFileSync(options.stateFile, JSON.stringify({ url: origin(), processes }, null, 2));
}

/** Whether something accepts a TCP connection at host:port within a second. */
function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1_000 });
    const done = (up: boolean): void => {
      socket.destroy();
      resolve(up);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function ports(): Promise<ServicePorts> {
  if (!options.freePorts) return DEFAULT_PORTS(options.gateways);
  const gateways: number[] = [];
  for (let i = 0; i < options.gateways; i++) gateways.push(await freePort());
  return { auth: await freePort(), messaging: await freePort(), presence: await freePort(), files: await freePort(), gateways };
}

let startedEngines = false;

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  supervisor.stop();
  say('stopping services...');
  await frontDoor?.close().catch(() => undefined);
  await Promise.all(
    [...children.values()].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
        }),
    ),
  );
  if (startedEngines) {
    say('stopping the engines this run started...');
    await infra('down');
  } else {
    say(`engines were already running before; left running (npm run infra:down${options.cluster ? ' -- --cluster' : ''} stops them)`);
  }
  process.exit(code);
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  options = parseOptions(process.argv.slice(2), process.env);
  const building = options.build ? buildWeb() : Promise.resolve();
  // A failed build is reported when awaited below; never as an unhandled rejection meanwhile.
  building.catch(() => undefined);
  startedEngines = (await infra('status', true)) !== 0;
  say(
    startedEngines
      ? `starting the local engines: ${options.cluster ? `${options.bus === 'kafka' ? '3 Kafka brokers, ' : ''}3 Cassandra nodes` : `${options.bus === 'kafka' ? 'Kafka, ' : ''}Cassandra`}, S3Proxy (the first run downloads about 260 MB from Maven Central; progress below)...`
      : 'engines already up',
  );
  if ((await infra('up')) !== 0) throw new Error('the engines did not come up (see above)');
  // Signing keys are stored encrypted: a secret generated once and kept in .local/ (git-ignored).
  // Each service uses Redis as its own ACL user (created or reset now on the local Redis).
  const redisUsers = localRedisUsers(options.run);
  await ensureRedisUsers(redisUrl(process.env), redisUsers).catch((error: unknown) => {
    throw new Error(`could not create the services' Redis users: ${error instanceof Error ? error.message : String(error)}`);
  });
  // And Kafka as its own SCRAM user with its ACLs (users, the run's topics and ACLs set up now), on
  // the single node's SASL listener; the cluster's brokers have none, and RabbitMQ runs no Kafka.
  let kafkaUsers = options.bus === 'kafka' && !options.cluster ? localKafkaUsers(options.run) : [];
  if (kafkaUsers.length > 0 && !(await answers(LOCAL_HOST, KAFKA_SASL_PORT))) {
    say(
      `\x1b[33mthe running Kafka has no SASL listener on port ${KAFKA_SASL_PORT} (it was started before there was one): the services connect ` +
        `without credentials, as before. Restart the engines (npm run infra:down, then npm start) for a Kafka user per service.\x1b[0m`,
    );
    kafkaUsers = [];
  }
  if (kafkaUsers.length > 0) {
    say(`setting up the services' Kafka users, topics and ACLs (SASL listener on port ${KAFKA_SASL_PORT})...`);
    const summary = await ensureKafkaUsers(KAFKA_BROKERS.join(','), options.run, kafkaUsers).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`could not set up the services' Kafka users: ${message}`);
    });
    say(summary);
  }
  // And messaging logs in to Cassandra as its own role, granted its keyspace only (the single node; the
  // cluster's nodes ask for no login).
  let cassandraRoles = options.cluster ? [] : localCassandraRoles(options.run);
  if (cassandraRoles.length > 0 && !(await localCassandraAsksForLogin())) {
    say(
      `\x1b[33mthe running Cassandra asks for no login (it was started before cassandra.yaml enabled them): messaging connects without ` +
        `credentials, as before. Restart the engines (npm run infra:down, then npm start) for a Cassandra role of its own.\x1b[0m`,
    );
    cassandraRoles = [];
  }
  if (cassandraRoles.length > 0) {
    say("setting up messaging's Cassandra role and keyspace...");
    const summaries = await ensureCassandraRoles(cassandraRoles).catch((error: unknown) => {
      throw new Error(`could not set up messaging's Cassandra role: ${error instanceof Error ? error.message : String(error)}`);
    });
    summaries.forEach((summary) => say(summary));
  }
  specs = localServices(await ports(), options.run, localSecrets(process.env), { redis: redisUsers, kafka: kafkaUsers, cassandra: cassandraRoles }, { bus: options.bus, env: process.env }, options.cluster ? clusterServiceEnv() : {});
  if (options.bus === 'rabbitmq') say(`bus: RabbitMQ at ${redactedUrl(rabbitmqUrl(process.env))} (streams and queues ${options.run ? `${options.run}.*` : 'unprefixed'})`);
  if (options.cluster) say('on the local cluster: 3 Kafka brokers (replication 3, min.insync.replicas 2), 3 Cassandra nodes (replication 3, LOCAL_QUORUM)');
  if (options.run) say(`isolated run "${options.run}" (topics ${options.run}.*, keyspace ${options.run}_messaging, databases ${options.run}_auth/_files)`);
  const auth = specs.filter((s) => s.service === 'auth');
  const backends = specs.filter((s) => s.service !== 'auth' && s.service !== 'gateway');
  const gateways = specs.filter((s) => s.service === 'gateway');
  // auth first: every other service fetches its JWKS.
  say('starting auth...');
  auth.forEach(launch);
  await Promise.all(auth.map((s) => waitReady(s)));
  say(`starting ${backends.map((s) => s.name).join(', ')}...`);
  backends.forEach(launch);
  await Promise.all(backends.map((s) => waitReady(s)));
  say(`starting ${gateways.map((s) => s.name).join(', ')}...`);
  gateways.forEach(launch);
  await Promise.all(gateways.map((s) => waitReady(s)));
  await building;
  upstreams = gateways.map((s) => ({ port: s.port, live: true }));
  frontDoor = new FrontDoor({ port: options.port, staticDir: WEB_DIST, upstreams });
  await frontDoor.listen();
  writeState();
  watchLiveness();
  say(
    `\x1b[32mthe chat is up: ${origin()}\x1b[0m  (${gateways.length} gateway${gateways.length > 1 ? 's' : ''} behind it; API docs per service at /docs; Ctrl-C stops everything)`,
  );
}

main().catch((error: unknown) => {
  say(`failed: ${error instanceof Error ? error.message : String(error)}`);
  void shutdown(1);
});
