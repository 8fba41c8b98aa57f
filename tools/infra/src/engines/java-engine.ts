import { mkdir, writeFile } from 'node:fs/promises';
import { ensureJava17, javaCommand, renderArgFile } from '../java';
import { type InfraLayout, displayPath } from '../layout';
import { LogWatcher, rotateLog, tailFile } from '../log-file';
import { resolveClasspath } from '../maven';
import { type Turn } from '../mutex';
import {
  type DetachedProcess,
  isPortOpen,
  isProcessAlive,
  findProcesses,
  managedPid,
  removeFile,
  spawnDetached,
  stopProcess,
  writePidFile,
} from '../process';
import { type Reporter, formatDuration } from '../report';
import { errorMessage, sleep, waitUntil, withTimeout } from '../wait';
import { type EngineResult, type EngineStatus, type JavaEngine } from './types';

export interface UpContext {
  readonly layout: InfraLayout;
  readonly reporter: Reporter;
  /** This engine's turn to run Maven (released by the runner on every path). */
  readonly mavenTurn: Turn;
  /** Settles when the engines this one should not boot alongside are up (only awaited before a launch). */
  readonly launchAfter?: Promise<unknown>;
  /** Longest wait for `launchAfter` (default 8 s; a cluster's next Cassandra node waits for the previous one). */
  readonly launchAfterCapMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

const LOG_TAIL_LINES = 30;
/** A heavy engine waits at most this long for the light ones before launching anyway. */
const LAUNCH_AFTER_CAP_MS = 8_000;

class EngineFailure extends Error {}

function argFileOf(engine: JavaEngine, layout: InfraLayout): string {
  return layout.confFile(`${engine.name}.jvm.args`);
}

/**
 * The pid of this checkout's instance: from the pid file, or (pid file lost) the process whose
 * command line is `java @<INFRA_DIR>/conf/<engine>.jvm.args <main class>`, re-recording it.
 */
async function ourPid(engine: JavaEngine, layout: InfraLayout): Promise<number | undefined> {
  const pidFile = layout.pidFile(engine.name);
  const recorded = await managedPid(pidFile, engine.mainClass);
  if (recorded !== undefined) return recorded;
  const marker = `@${argFileOf(engine, layout)} ${engine.mainClass}`;
  const [found] = await findProcesses((cmdline) => cmdline.includes(marker));
  if (found !== undefined) await writePidFile(pidFile, found);
  return found;
}

/**
 * Makes sure the engine answers: keeps a running instance (ours or anyone's), else resolves the
 * classpath, starts the JVM detached and waits for the probe.
 */
export async function upJavaEngine(engine: JavaEngine, context: UpContext): Promise<EngineResult> {
  const start = Date.now();
  const say = (message: string): void => context.reporter.say(engine.name, message);
  const result = (status: EngineResult['status'], detail: string, pid?: number): EngineResult => ({
    name: engine.name,
    status,
    endpoint: engine.endpoint,
    elapsedMs: Date.now() - start,
    detail,
    ...(pid === undefined ? {} : { pid }),
  });
  const logFile = context.layout.logFile(engine.name);
  try {
    const running = await ourPid(engine, context.layout);
    if (running !== undefined) {
      context.mavenTurn.release();
      say(`already running (pid ${running}), verifying...`);
      const ready = await awaitReady(engine, logFile, say, { pid: running });
      if (!ready.ok) return await failWithLog(ready.why, logFile, say);
      return result('already-up', ready.detail, running);
    }

    const external = await checkPorts(engine);
    if (external !== undefined) {
      context.mavenTurn.release();
      say(`port ${engine.ports[0]?.port ?? '?'} already answers (${external}); not started by this checkout, using it`);
      return result('external', external);
    }

    let classpath: string[];
    await context.mavenTurn.take();
    try {
      classpath = await resolveClasspath({
        engine: engine.artifact,
        pomFile: engine.pomFile,
        layout: context.layout,
        approxDownloadMb: engine.approxDownloadMb,
        say,
        ...(context.env ? { env: context.env } : {}),
      });
    } finally {
      context.mavenTurn.release();
    }

    if (context.launchAfter) {
      const waited = Date.now();
      await Promise.race([context.launchAfter, sleep(context.launchAfterCapMs ?? LAUNCH_AFTER_CAP_MS)]);
      if (Date.now() - waited > 1000) say(`launching after the engines it waits for (waited ${formatDuration(Date.now() - waited)})`);
    }
    await ensureJava17(context.env);
    const java = javaCommand(context.env);
    await rotateLog(logFile);
    const launch = await engine.prepare({ layout: context.layout, classpath, java, say });
    const argFile = argFileOf(engine, context.layout);
    await mkdir(context.layout.confDir, { recursive: true });
    await writeFile(argFile, renderArgFile([...launch.jvmArgs, '-cp', classpath.join(':')]));
    const javaArgs = [`@${argFile}`, engine.mainClass, ...launch.mainArgs];
    const child = await spawnDetached({
      // `nice` execs java: the pid stays the JVM's.
      ...(engine.niceness ? { command: 'nice', args: ['-n', String(engine.niceness), java, ...javaArgs] } : { command: java, args: javaArgs }),
      cwd: context.layout.root,
      logFile,
      ...(context.env ? { env: context.env } : {}),
    });
    await writePidFile(context.layout.pidFile(engine.name), child.pid);
    say(`started pid ${child.pid}, log ${displayPath(logFile)}; waiting up to ${engine.readyTimeoutMs / 1000}s for it to answer...`);
    const ready = await awaitReady(engine, logFile, say, { pid: child.pid, child });
    if (ready.ok) return result('started', ready.detail, child.pid);
    if (ready.exited) {
      // Lost a race (e.g. another checkout started the same engine meanwhile): use the winner.
      const winner = await engine.probe().catch(() => undefined);
      if (winner !== undefined) {
        await removeFile(context.layout.pidFile(engine.name));
        say(`our process exited (${ready.why}) but port ${engine.ports[0]?.port ?? '?'} answers (${winner}): using that instance`);
        return result('external', winner);
      }
    }
    return await failWithLog(ready.why, logFile, say);
  } catch (error) {
    context.mavenTurn.release();
    const detail = errorMessage(error);
    if (!(error instanceof EngineFailure)) say(`FAILED: ${detail}`);
    return result('failed', detail);
  }
}

/**
 * Returns undefined when all ports are free; the probe's answer when the client port is taken by
 * a working instance; throws when a port is taken by something else.
 */
async function checkPorts(engine: JavaEngine): Promise<string | undefined> {
  const [client, ...others] = engine.ports;
  if (client && (await isPortOpen(client.port, client.host))) {
    try {
      return await withTimeout(`${engine.name} probe`, 20_000, engine.probe());
    } catch (error) {
      throw new Error(
        `port ${client.port} (${client.role}) is in use by a process that does not answer as ${engine.title} ` +
          `(${errorMessage(error)}). Find it with: ss -ltnp 'sport = :${client.port}'`,
      );
    }
  }
  for (const other of others) {
    if (await isPortOpen(other.port, other.host)) {
      throw new Error(`port ${other.port} (${other.role}) is already in use. Find it with: ss -ltnp 'sport = :${other.port}'`);
    }
  }
  return undefined;
}

interface Target {
  readonly pid: number;
  /** Set when we are the parent (just started it): tells the exit status. */
  readonly child?: DetachedProcess;
}

type Readiness = { readonly ok: true; readonly detail: string } | { readonly ok: false; readonly exited: boolean; readonly why: string };

/** Waits for the readiness log line (if any), the client port and a successful probe. */
async function awaitReady(engine: JavaEngine, logFile: string, say: (m: string) => void, target: Target): Promise<Readiness> {
  // The log line only gates a process we just started; a running one is judged by its probe alone.
  const watcher = engine.readyLogLine && target.child ? new LogWatcher(logFile, engine.readyLogLine) : undefined;
  const client = engine.ports[0];
  const outcome = await waitUntil({
    timeoutMs: engine.readyTimeoutMs,
    intervalMs: 500,
    heartbeatMs: 20_000,
    abortReason: async () => {
      const status = target.child?.exitStatus();
      if (status !== undefined) return `process ${target.pid} ${status}`;
      if (!(await isProcessAlive(target.pid))) return `process ${target.pid} is gone`;
      return undefined;
    },
    attempt: async () => {
      if (watcher && !(await watcher.seen())) throw new Error(`no "${engine.readyLogLine?.source ?? ''}" in the log yet`);
      if (client !== undefined && !(await isPortOpen(client.port, client.host))) throw new Error(`port ${client.port} not open yet`);
      return engine.probe();
    },
    onHeartbeat: (elapsed, last) => say(`still waiting (${formatDuration(elapsed)}): ${last}`),
  });
  if (outcome.ok) return { ok: true, detail: outcome.value };
  return outcome.reason === 'timeout'
    ? { ok: false, exited: false, why: `did not answer within ${engine.readyTimeoutMs / 1000}s (last error: ${outcome.detail})` }
    : { ok: false, exited: true, why: `${outcome.detail} before answering` };
}

/** Prints the failure with the tail of the engine log and throws. */
async function failWithLog(why: string, logFile: string, say: (m: string) => void): Promise<never> {
  const tail = await tailFile(logFile, LOG_TAIL_LINES);
  say(`FAILED: ${why}\nlast ${tail.length} lines of ${displayPath(logFile)}:\n${tail.map((l) => `  | ${l}`).join('\n')}`);
  throw new EngineFailure(why);
}

export type StopResult = { readonly name: string; readonly outcome: string };

/** Stops the engine if this checkout started it (pid file); leaves anything else alone. */
export async function downJavaEngine(engine: JavaEngine, layout: InfraLayout, reporter: Reporter): Promise<StopResult> {
  const say = (message: string): void => reporter.say(engine.name, message);
  const pidFile = layout.pidFile(engine.name);
  const pid = await ourPid(engine, layout);
  if (pid === undefined) {
    const client = engine.ports[0];
    const port = client?.port;
    if (client !== undefined && (await isPortOpen(client.port, client.host))) {
      say(`not started by this checkout but port ${port} is open: left alone`);
      return { name: engine.name, outcome: 'not ours, left running' };
    }
    return { name: engine.name, outcome: 'not running' };
  }
  const start = Date.now();
  say(`stopping pid ${pid} (SIGTERM)...`);
  const outcome = await stopProcess(pid, {
    graceMs: 30_000,
    onWaiting: (elapsed) => say(`still stopping (${formatDuration(elapsed)})...`),
  });
  const took = formatDuration(Date.now() - start);
  switch (outcome) {
    case 'not-running':
    case 'terminated':
      await removeFile(pidFile);
      say(`stopped in ${took}`);
      return { name: engine.name, outcome: `stopped (${took})` };
    case 'killed':
      await removeFile(pidFile);
      say(`did not stop within 30s: killed (SIGKILL)`);
      return { name: engine.name, outcome: `killed after ${took}` };
    case 'survived':
      say(`pid ${pid} survived SIGKILL?!`);
      return { name: engine.name, outcome: `pid ${pid} still alive` };
  }
}

export async function statusJavaEngine(engine: JavaEngine, layout: InfraLayout): Promise<EngineStatus> {
  const pid = await ourPid(engine, layout);
  const client = engine.ports[0];
  const port = client?.port;
  const open = client !== undefined && (await isPortOpen(client.port, client.host));
  const base = { name: engine.name, endpoint: engine.endpoint, ...(pid === undefined ? {} : { pid }) };
  if (!open) {
    return pid === undefined
      ? { ...base, state: 'down', detail: '' }
      : { ...base, state: 'starting', detail: `process alive, port ${port ?? '?'} not open yet` };
  }
  try {
    const detail = await engine.quickProbe();
    return { ...base, state: pid === undefined ? 'up (not ours)' : 'up', detail };
  } catch (error) {
    return { ...base, state: pid === undefined ? 'not answering' : 'starting', detail: errorMessage(error) };
  }
}
