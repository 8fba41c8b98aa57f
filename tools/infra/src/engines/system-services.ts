import { constants } from 'node:fs';
import { access, readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { postgresUrl, rabbitmqUrl, redisUrl } from '../endpoints';
import { lastLines } from '../log-file';
import { probePostgres, probeRabbitMq, probeRedis, RabbitMqFeatureError } from '../probes';
import { isPortOpen, runToCompletion } from '../process';
import { type Reporter } from '../report';
import { errorMessage, waitUntil } from '../wait';
import { type EngineResult, type EngineStatus } from './types';

/** PostgreSQL, Redis and RabbitMQ are machine services: only checked, started if down and local, never stopped. */
export interface SystemService {
  readonly name: 'postgres' | 'redis' | 'rabbitmq';
  readonly url: string;
  readonly probe: () => Promise<string>;
  /** How to start it on this machine, or undefined when we cannot (remote URL, binary missing). */
  readonly startCommand: () => Promise<{ command: string; args: string[] } | undefined>;
  readonly manualHint: string;
}

export function postgresService(env: NodeJS.ProcessEnv = process.env): SystemService {
  const url = postgresUrl(env);
  return {
    name: 'postgres',
    url,
    probe: () => probePostgres(url),
    startCommand: async () => {
      if (!isLocalUrl(url)) return undefined;
      const pgCtlCluster = await findExecutable('pg_ctlcluster', env);
      if (pgCtlCluster === undefined) return undefined;
      const version = newestPostgresVersion(await listDir('/etc/postgresql'));
      if (version === undefined) return undefined;
      return { command: pgCtlCluster, args: ['--skip-systemctl-redirect', version, 'main', 'start'] };
    },
    manualHint: 'start PostgreSQL (trust auth for user postgres on 127.0.0.1:5432) or point POSTGRES_URL at a running server',
  };
}

export function redisService(env: NodeJS.ProcessEnv = process.env): SystemService {
  const url = redisUrl(env);
  return {
    name: 'redis',
    url,
    probe: () => probeRedis(url),
    startCommand: async () => {
      if (!isLocalUrl(url)) return undefined;
      const redisServer = await findExecutable('redis-server', env);
      if (redisServer === undefined) return undefined;
      const port = new URL(url).port || '6379';
      return { command: redisServer, args: redisServerArgs(port) };
    },
    manualHint: 'start Redis on 127.0.0.1:6379 or point REDIS_URL at a running server',
  };
}

/**
 * RabbitMQ, for BUS=rabbitmq. The transport needs no plugin (streams and quorum queues are core
 * queue types since 3.9; see docs/design/bus.md), only the `stream_queue` and `quorum_queue`
 * feature flags, on by default on a fresh 3.10 node but off on one upgraded from 3.8. When the
 * broker refuses a stream and is local, they are enabled with `rabbitmqctl enable_feature_flag`
 * (idempotent; it needs root or the rabbitmq user, who can read the node's Erlang cookie) and the
 * probe runs again.
 */
export function rabbitmqService(env: NodeJS.ProcessEnv = process.env): SystemService {
  const url = rabbitmqUrl(env);
  const credentials = { username: nonEmpty(env['RABBITMQ_USERNAME']), password: nonEmpty(env['RABBITMQ_PASSWORD']) };
  const probe = (): Promise<string> => probeRabbitMq({ url, ...credentials });
  return {
    name: 'rabbitmq',
    url,
    probe: async () => {
      try {
        return await probe();
      } catch (error) {
        if (!(error instanceof RabbitMqFeatureError)) throw error;
        const rabbitmqctl = isLocalUrl(url) ? await findExecutable('rabbitmqctl', env) : undefined;
        if (rabbitmqctl === undefined) throw new Error(`${error.message}; ${RABBITMQ_FLAGS_HINT}`);
        for (const flag of RABBITMQ_FEATURE_FLAGS) {
          const run = await runToCompletion(rabbitmqctl, ['enable_feature_flag', flag]);
          if (run.code !== 0) {
            throw new Error(`${error.message}; rabbitmqctl enable_feature_flag ${flag} failed (${lastLines(run.output, 3).join(' | ')}): it needs root or the rabbitmq user; ${RABBITMQ_FLAGS_HINT}`);
          }
        }
        return `${await probe()} (feature flags ${RABBITMQ_FEATURE_FLAGS.join(', ')} enabled now)`;
      }
    },
    // Only the machine's own node on its usual port, and only when nothing listens there (a
    // refused login or a refused queue is not fixed by starting another node).
    startCommand: async () => {
      if (!isLocalUrl(url) || (new URL(url).port || '5672') !== '5672' || (await isPortOpen(5672))) return undefined;
      const server = await findExecutable('rabbitmq-server', env);
      return server === undefined ? undefined : { command: server, args: ['-detached'] };
    },
    manualHint: 'start RabbitMQ 3.9+ on 127.0.0.1:5672 (guest/guest) or point RABBITMQ_URL (and RABBITMQ_USERNAME/RABBITMQ_PASSWORD) at a running broker; only BUS=rabbitmq needs it',
  };
}

export const RABBITMQ_FEATURE_FLAGS = ['stream_queue', 'quorum_queue'] as const;
const RABBITMQ_FLAGS_HINT = `as root on the broker's host: rabbitmqctl enable_feature_flag ${RABBITMQ_FEATURE_FLAGS.join(' && rabbitmqctl enable_feature_flag ')}`;

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
}

export function redisServerArgs(port: string): string[] {
  return [
    '--daemonize', 'yes',
    '--bind', '127.0.0.1', '-::1',
    '--port', port,
    '--save', '',
    '--appendonly', 'no',
    '--dir', '/var/lib/redis',
    '--logfile', '/var/log/redis/ci.log',
  ];
}

/** The highest numeric cluster version directory (e.g. ["13", "15"] -> "15"). */
export function newestPostgresVersion(entries: readonly string[]): string | undefined {
  return entries
    .filter((entry) => /^\d+(\.\d+)?$/.test(entry))
    .sort((a, b) => Number(a) - Number(b))
    .at(-1);
}

export function isLocalUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return host === '127.0.0.1' || host === 'localhost' || host === '::1';
  } catch {
    return false;
  }
}

/** The URL with any password masked, for printing. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

export async function ensureSystemService(service: SystemService, reporter: Reporter): Promise<EngineResult> {
  const start = Date.now();
  const endpoint = redactUrl(service.url);
  const result = (status: EngineResult['status'], detail: string): EngineResult => ({
    name: service.name,
    status,
    endpoint,
    elapsedMs: Date.now() - start,
    detail,
  });
  let firstError: string;
  try {
    return result('system', await service.probe());
  } catch (error) {
    firstError = errorMessage(error);
  }
  const say = (message: string): void => reporter.say(service.name, message);
  const how = await service.startCommand();
  if (how === undefined) {
    const detail = `does not answer at ${endpoint} (${firstError}); ${service.manualHint}`;
    say(`FAILED: ${detail}`);
    return result('failed', detail);
  }
  say(`does not answer (${firstError}); trying: ${how.command} ${how.args.map((a) => (a === '' ? '""' : a)).join(' ')}`);
  try {
    const run = await runToCompletion(how.command, how.args);
    if (run.code !== 0) {
      const detail = `start command failed (exit ${String(run.code ?? run.signal)}): ${lastLines(run.output, 10).join(' | ')}; ${service.manualHint}`;
      say(`FAILED: ${detail}`);
      return result('failed', detail);
    }
  } catch (error) {
    const detail = `cannot run ${how.command}: ${errorMessage(error)}; ${service.manualHint}`;
    say(`FAILED: ${detail}`);
    return result('failed', detail);
  }
  const outcome = await waitUntil({ timeoutMs: 20_000, intervalMs: 500, attempt: service.probe });
  if (outcome.ok) {
    say(`started: ${outcome.value}`);
    return result('started', outcome.value);
  }
  const detail = `still not answering 20s after start (${outcome.detail}); ${service.manualHint}`;
  say(`FAILED: ${detail}`);
  return result('failed', detail);
}

export async function statusSystemService(service: SystemService): Promise<EngineStatus> {
  const endpoint = redactUrl(service.url);
  try {
    return { name: service.name, state: 'up (system)', endpoint, detail: await service.probe() };
  } catch (error) {
    return { name: service.name, state: 'down', endpoint, detail: errorMessage(error) };
  }
}

async function findExecutable(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const dirs = (env['PATH'] ?? '').split(path.delimiter).concat(['/usr/sbin', '/usr/bin', '/usr/local/bin']);
  for (const dir of dirs) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}
