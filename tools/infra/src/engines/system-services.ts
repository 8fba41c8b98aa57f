import { constants } from 'node:fs';
import { access, readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { postgresUrl, redisUrl } from '../endpoints';
import { lastLines } from '../log-file';
import { probePostgres, probeRedis } from '../probes';
import { runToCompletion } from '../process';
import { type Reporter } from '../report';
import { errorMessage, waitUntil } from '../wait';
import { type EngineResult, type EngineStatus } from './types';

/** PostgreSQL and Redis are machine services: only checked, started if down and local, never stopped. */
export interface SystemService {
  readonly name: 'postgres' | 'redis';
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
