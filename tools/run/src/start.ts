// `npm start`: the whole system on one machine. Brings up the local engines (tools/infra), starts
// every service as its own process with prefixed, coloured logs, waits until each is ready, and
// prints the URL. Ctrl-C stops the services and, if this run started them, the engines.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { localServices, type ServiceSpec } from './services';

const ROOT = join(__dirname, '..', '..', '..');
const INFRA = ['-r', '@swc-node/register', 'tools/infra/src/cli.ts'];
const children = new Map<string, ChildProcess>();
let stopping = false;

function say(message: string): void {
  process.stdout.write(`\x1b[1m[start]\x1b[0m ${message}\n`);
}

function infra(command: 'up' | 'down' | 'status', quiet = false): number {
  return spawnSync(process.execPath, [...INFRA, command], { cwd: ROOT, stdio: quiet ? 'ignore' : 'inherit' }).status ?? 1;
}

function launch(spec: ServiceSpec): ChildProcess {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', spec.entry], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(spec.port), LOG_PRETTY: process.env.LOG_PRETTY ?? 'true', ...spec.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `\x1b[${spec.color}m${spec.name.padEnd(9)}|\x1b[0m `;
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${prefix}${line}\n`));
  }
  child.on('exit', (code, signal) => {
    children.delete(spec.name);
    if (!stopping) {
      say(`${spec.name} exited (${signal ?? `code ${code}`}); stopping everything`);
      void shutdown(1);
    }
  });
  children.set(spec.name, child);
  return child;
}

async function waitReady(spec: ServiceSpec, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) return;
    try {
      if ((await fetch(`http://127.0.0.1:${spec.port}/health/ready`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`${spec.name} was not ready within ${timeoutMs / 1000} s`);
}

let startedEngines = false;

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  say('stopping services...');
  await Promise.all(
    [...children.values()].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
        }),
    ),
  );
  if (startedEngines) {
    say('stopping the engines this run started...');
    infra('down');
  } else {
    say('engines were already running before; left running (npm run infra:down stops them)');
  }
  process.exit(code);
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  startedEngines = infra('status', true) !== 0;
  say(startedEngines ? 'starting the local engines (the first run downloads them from Maven Central)...' : 'engines already up');
  if (infra('up') !== 0) throw new Error('the engines did not come up (see above)');
  const specs = localServices();
  const [auth, ...rest] = specs as [ServiceSpec, ...ServiceSpec[]];
  // auth first: every other service fetches its JWKS.
  say('starting auth...');
  launch(auth);
  await waitReady(auth);
  const gateway = rest.filter((s) => s.name === 'gateway');
  const backends = rest.filter((s) => s.name !== 'gateway');
  say(`starting ${backends.map((s) => s.name).join(', ')}...`);
  backends.forEach(launch);
  await Promise.all(backends.map((s) => waitReady(s)));
  say('starting gateway...');
  gateway.forEach(launch);
  await Promise.all(gateway.map((s) => waitReady(s)));
  say('\x1b[32mthe chat is up: http://localhost:8080\x1b[0m  (API docs per service at /docs; Ctrl-C stops everything)');
}

main().catch((error: unknown) => {
  say(`failed: ${error instanceof Error ? error.message : String(error)}`);
  void shutdown(1);
});
