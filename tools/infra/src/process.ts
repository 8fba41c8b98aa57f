import { spawn } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import * as net from 'node:net';
import * as path from 'node:path';
import { sleep } from './wait';

/** A process started detached: it outlives this command. `exit` settles only while we are its parent. */
export interface DetachedProcess {
  readonly pid: number;
  /** Exit code/signal once the process ended (undefined while running). */
  exitStatus(): string | undefined;
}

export interface SpawnDetachedOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** stdout and stderr are appended to this file. */
  readonly logFile: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** Starts `command` in its own process group with stdout/stderr appended to the log file, then lets go of it. */
export async function spawnDetached(options: SpawnDetachedOptions): Promise<DetachedProcess> {
  await mkdir(path.dirname(options.logFile), { recursive: true });
  const fd = openSync(options.logFile, 'a');
  try {
    const child = spawn(options.command, [...options.args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    let status: string | undefined;
    child.on('exit', (code, signal) => {
      status = signal ? `killed by ${signal}` : `exited with code ${String(code)}`;
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => {
        if (child.pid === undefined) reject(new Error(`${options.command}: no pid after spawn`));
        else resolve(child.pid);
      });
    });
    child.unref();
    return { pid, exitStatus: () => status };
  } finally {
    closeSync(fd);
  }
}

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Combined stdout+stderr (only the last `keepBytes`). */
  readonly output: string;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Also append the output to this file. */
  readonly logFile?: string;
  readonly keepBytes?: number;
}

/** Runs a command to completion, capturing its output. Rejects only if it cannot be started (e.g. ENOENT). */
export async function runToCompletion(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const keep = options.keepBytes ?? 64 * 1024;
  let fd: number | undefined;
  if (options.logFile) {
    await mkdir(path.dirname(options.logFile), { recursive: true });
    fd = openSync(options.logFile, 'a');
  }
  try {
    return await new Promise<RunResult>((resolve, reject) => {
      const child = spawn(command, [...args], {
        cwd: options.cwd,
        env: options.env ?? process.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      const collect = (chunk: Buffer): void => {
        output = (output + chunk.toString('utf8')).slice(-keep);
        if (fd !== undefined) writeChunk(fd, chunk);
      };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      child.once('error', reject);
      child.once('close', (code, signal) => resolve({ code, signal, output }));
    });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function writeChunk(fd: number, chunk: Buffer): void {
  try {
    // Synchronous on purpose: ordering with the process output matters more than speed here.
    writeSync(fd, chunk);
  } catch {
    // Logging is best effort.
  }
}

/**
 * True when `pid` is a live process. Zombies count as dead (a reaper-less container init may
 * leave them around and `kill(pid, 0)` still succeeds on them).
 */
export async function isProcessAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    // No /proc (macOS): trust kill(0).
    return true;
  }
}

/** The command line of `pid` (args joined by spaces), or undefined when unreadable. */
export async function readCmdline(pid: number): Promise<string | undefined> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
}

export async function readPidFile(file: string): Promise<number | undefined> {
  try {
    return parsePid(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
}

export function parsePid(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return undefined;
  const pid = Number(trimmed);
  return pid > 1 ? pid : undefined;
}

export async function writePidFile(file: string, pid: number): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${pid}\n`);
}

export async function removeFile(file: string): Promise<void> {
  await rm(file, { force: true });
}

/**
 * The pid recorded in `pidFile` if that process is alive and is really ours (its command line
 * contains `marker`, e.g. the Java main class). A stale pid file is removed.
 */
export async function managedPid(pidFile: string, marker: string): Promise<number | undefined> {
  const pid = await readPidFile(pidFile);
  if (pid === undefined) return undefined;
  if (await isProcessAlive(pid)) {
    const cmdline = await readCmdline(pid);
    if (cmdline === undefined || cmdline.includes(marker)) return pid;
  }
  await removeFile(pidFile);
  return undefined;
}

/** True when something accepts TCP connections on host:port. */
export function isPortOpen(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (open: boolean): void => {
      socket.removeAllListeners();
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export type StopOutcome = 'not-running' | 'terminated' | 'killed' | 'survived';

export interface StopOptions {
  /** How long to wait after SIGTERM before SIGKILL. */
  readonly graceMs: number;
  /** Called every few seconds while waiting. */
  readonly onWaiting?: (elapsedMs: number) => void;
}

/** SIGTERM, wait up to `graceMs` for exit, then SIGKILL. */
export async function stopProcess(pid: number, options: StopOptions): Promise<StopOutcome> {
  if (!(await isProcessAlive(pid))) return 'not-running';
  signal(pid, 'SIGTERM');
  const start = Date.now();
  let lastNotice = start;
  while (Date.now() - start < options.graceMs) {
    await sleep(200);
    if (!(await isProcessAlive(pid))) return 'terminated';
    if (options.onWaiting && Date.now() - lastNotice >= 5000) {
      lastNotice = Date.now();
      options.onWaiting(lastNotice - start);
    }
  }
  signal(pid, 'SIGKILL');
  for (let i = 0; i < 25; i++) {
    await sleep(200);
    if (!(await isProcessAlive(pid))) return 'killed';
  }
  return 'survived';
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/** Pids of live processes whose command line satisfies `match` (Linux /proc; empty elsewhere). */
export async function findProcesses(match: (cmdline: string) => boolean): Promise<number[]> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  const pids = entries.filter((e) => /^\d+$/.test(e)).map(Number).filter((pid) => pid !== process.pid);
  const found: number[] = [];
  for (const pid of pids) {
    const cmdline = await readCmdline(pid);
    if (cmdline !== undefined && match(cmdline) && (await isProcessAlive(pid))) found.push(pid);
  }
  return found;
}
