// Starts a service of this repository as a real child process (the same entry point `npm start`
// uses), keeps its output for the failure message, and stops or kills it.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from './wait';

export const REPO_ROOT = join(__dirname, '..', '..', '..');

export interface ServiceProcessOptions {
  service: 'gateway' | 'auth' | 'messaging' | 'presence' | 'files';
  port: number;
  env?: Record<string, string>;
  /** A name for logs when several instances of one service run. */
  name?: string;
  /**
   * `source` (default) runs `apps/<service>/src/main.ts` through @swc-node/register, as `npm start`
   * does; `bundle` runs the production bundle `dist/apps/<service>/main.js` with plain Node.
   */
  from?: 'source' | 'bundle';
  /** Extra Node.js options before the entry point (e.g. `--cpu-prof`, which NODE_OPTIONS refuses). */
  nodeArgs?: string[];
}

export class ServiceProcess {
  readonly name: string;
  readonly url: string;
  private child: ChildProcess | undefined;
  private output: string[] = [];
  private exit: Promise<number | null> = Promise.resolve(null);

  constructor(private readonly options: ServiceProcessOptions) {
    this.name = options.name ?? options.service;
    this.url = `http://127.0.0.1:${options.port}`;
  }

  start(): this {
    const bundle = this.options.from === 'bundle';
    const args = [
      ...(this.options.nodeArgs ?? []),
      ...(bundle ? [join('dist', 'apps', this.options.service, 'main.js')] : ['-r', '@swc-node/register', join('apps', this.options.service, 'src', 'main.ts')]),
    ];
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.TEST_SERVICE_LOG_LEVEL ?? 'warn',
      PORT: String(this.options.port),
      INSTANCE_ID: this.name,
      ...this.options.env,
    };
    // The bundle must start without any TypeScript loader inherited through NODE_OPTIONS.
    if (bundle) delete env['NODE_OPTIONS'];
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer): void => {
      this.output.push(chunk.toString());
      if (this.output.length > 400) this.output.splice(0, this.output.length - 400);
      if (process.env.TEST_SERVICE_OUTPUT) process.stderr.write(`[${this.name}] ${chunk.toString()}`);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    this.child = child;
    return this;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Everything the process printed (the last 400 chunks). */
  logs(): string {
    return this.output.join('');
  }

  exited(): Promise<number | null> {
    return this.exit;
  }

  async waitReady(timeoutMs = 60_000): Promise<this> {
    // A process that exits while starting fails the wait at once, not at the deadline.
    const exited = this.exit.then((code) => {
      throw new Error(`${this.name} exited with ${String(code)} before it was ready`);
    });
    const ready = waitFor(
      `${this.name} to be ready`,
      async () => {
        if (!this.running) return undefined;
        const response = await fetch(`${this.url}/health/ready`);
        return response.status === 200;
      },
      timeoutMs,
      250,
    );
    exited.catch(() => undefined);
    await Promise.race([ready, exited]).catch((error: unknown) => {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- ${this.name} output ---\n${this.logs().slice(-4000)}`);
    });
    return this;
  }

  /** SIGTERM and wait for the exit code (graceful shutdown). */
  async stop(timeoutMs = 20_000): Promise<number | null> {
    if (!this.running) return this.child?.exitCode ?? null;
    this.child?.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exit;
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL: a crash, with no goodbye. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child?.kill('SIGKILL');
    await this.exit;
  }
}
