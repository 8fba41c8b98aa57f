// The system for browser tests, started by the command users run (`npm start`, i.e. tools/run)
// on a free port with isolated data (--run) and two gateways, plus a Chromium from the OS
// (playwright-core drives it; nothing is downloaded). Screenshots go to test-results/web/.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { LOCAL_ENGINES, rabbitmqUrl } from '@chat/infra';
import { dropRunData, freePort, uniqueName, waitFor } from '@chat/testing';

const ROOT = join(__dirname, '..', '..');
export const SCREENSHOTS = join(ROOT, 'test-results', 'web');

interface RunState {
  url: string;
  processes: { name: string; service: string; port: number; pid: number | null }[];
}

export interface WebSystemOptions {
  /** `npm start -- --bus`: default BUS or kafka. */
  bus?: 'kafka' | 'rabbitmq';
  /** false: `--no-build` (a test that drives only the API needs no fresh web client). */
  build?: boolean;
}

export class WebSystem {
  readonly run = uniqueName('web');
  private bus: 'kafka' | 'rabbitmq' = 'kafka';
  readonly stateFile = join(tmpdir(), `${this.run}-state.json`);
  private child: ChildProcess | null = null;
  private output = '';
  port = 0;

  static async start(gateways: number, options: WebSystemOptions = {}): Promise<WebSystem> {
    const system = new WebSystem();
    system.bus = options.bus ?? (process.env['BUS'] === 'rabbitmq' ? 'rabbitmq' : 'kafka');
    try {
      await system.launch(gateways, options.build ?? true);
    } catch (error) {
      await system.stop();
      throw error;
    }
    return system;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private async launch(gateways: number, build: boolean): Promise<void> {
    this.port = await freePort();
    const args = ['-r', '@swc-node/register', 'tools/run/src/start.ts', '--run', this.run, '--gateways', String(gateways), '--port', String(this.port), '--state-file', this.stateFile, '--bus', this.bus];
    if (!build) args.push('--no-build');
    this.child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, LOG_PRETTY: 'false', LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    await waitFor(
      'npm start to print the URL',
      () => {
        if (this.child?.exitCode !== null) throw new Error(`npm start exited:\n${this.output}`);
        return this.output.includes('the chat is up');
      },
      // The first start on a busy shared 2-core machine can take minutes.
      600_000,
      250,
    );
  }

  state(): RunState {
    return JSON.parse(readFileSync(this.stateFile, 'utf8')) as RunState;
  }

  gateway(index: number): RunState['processes'][number] {
    const gateways = this.state().processes.filter((p) => p.service === 'gateway');
    const gateway = gateways[index];
    if (!gateway) throw new Error(`no gateway ${index}`);
    return gateway;
  }

  /** Waits until tools/run restarted gateway `index` (a new pid that answers ready). */
  async gatewayRestarted(index: number, oldPid: number): Promise<void> {
    await waitFor(
      `gateway ${index} to be restarted`,
      async () => {
        const gateway = this.gateway(index);
        if (!gateway.pid || gateway.pid === oldPid) return false;
        try {
          return (await fetch(`http://127.0.0.1:${gateway.port}/health/ready`)).status === 200;
        } catch {
          return false;
        }
      },
      180_000,
      250,
    );
  }

  /** Ctrl-C, as a user would; then drops the run's data. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await exited;
    }
    await dropRunData(
      { topicPrefix: `${this.run}.`, databases: [`${this.run}_auth`, `${this.run}_files`], keyspaces: [`${this.run}_messaging`], buckets: [`${this.run}-files`] },
      { ...LOCAL_ENGINES, ...(this.bus === 'rabbitmq' ? { rabbitmqUrl: rabbitmqUrl(process.env) } : {}) },
    );
  }
}

/** Debian's chromium (tools/setup/browser.sh installs it); CHROMIUM_PATH overrides. */
export function chromiumPath(): string {
  const candidates = [process.env['CHROMIUM_PATH'], '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => Boolean(p));
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error('chromium not found: run `bash tools/setup/browser.sh` (apt-get install chromium) or set CHROMIUM_PATH');
  return found;
}

export async function launchBrowser(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}
