// Starts the bare relay (relay-server.ts) as its own process and stops it.
import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { inspectFlag } from './inspector';

export class Relay {
  private constructor(
    private readonly child: ChildProcess,
    readonly origin: string,
  ) {}

  /** `inspectPort`: open the inspector there (idle-sockets measures the heap through it). */
  static async start(options: { inspectPort?: number } = {}): Promise<Relay> {
    const inspect = options.inspectPort === undefined ? [] : [inspectFlag(options.inspectPort)];
    const child = fork(join(__dirname, 'relay-server.ts'), [], { execArgv: ['-r', '@swc-node/register', ...inspect], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the relay did not start within 60 s')), 60_000);
      child.once('message', (message: { port: number }) => {
        clearTimeout(timer);
        resolve(message.port);
      });
      child.once('exit', (code) => reject(new Error(`the relay exited (${code})`)));
    });
    return new Relay(child, `http://127.0.0.1:${port}`);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}
