// One run of docker/compose.yaml for a test: its own Compose project name (containers, network
// and volumes), every host port a free one (so it runs beside the engines of `npm run infra:up`
// and beside another run), images as `npm run images` built them (`up --no-build`). `down`
// removes containers and volumes. Works with Compose v2 (`docker compose`) or Debian's
// docker-compose 1.29.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, uniqueName } from '@chat/testing';

const run = promisify(execFile);
const COMPOSE_FILE = join(__dirname, '..', '..', 'docker', 'compose.yaml');

export interface ComposePorts {
  http: number;
  kafka: number;
  cassandra: number;
  s3: number;
  postgres: number;
  redis: number;
}

export class ComposeStack {
  private constructor(
    readonly project: string,
    readonly ports: ComposePorts,
    private readonly command: readonly string[],
  ) {}

  /** The one origin (HAProxy in front of the two gateways). */
  get origin(): string {
    return `http://127.0.0.1:${this.ports.http}`;
  }

  static async up(): Promise<ComposeStack> {
    const ports: ComposePorts = {
      http: await freePort(),
      kafka: await freePort(),
      cassandra: await freePort(),
      s3: await freePort(),
      postgres: await freePort(),
      redis: await freePort(),
    };
    const stack = new ComposeStack(uniqueName('chatsmoke').replace(/[^a-z0-9]/g, ''), ports, await composeCommand());
    try {
      await stack.compose(['up', '-d', '--no-build']);
    } catch (error) {
      process.stderr.write(`compose up failed\n${await stack.diagnostics()}\n`);
      await stack.down().catch(() => undefined);
      throw error;
    }
    return stack;
  }

  async compose(args: readonly string[]): Promise<string> {
    const [file, ...prefix] = this.command;
    if (file === undefined) throw new Error('no compose command');
    const env = {
      ...process.env,
      CHAT_HTTP_PORT: String(this.ports.http),
      CHAT_KAFKA_PORT: String(this.ports.kafka),
      CHAT_CASSANDRA_PORT: String(this.ports.cassandra),
      CHAT_S3_PORT: String(this.ports.s3),
      CHAT_POSTGRES_PORT: String(this.ports.postgres),
      CHAT_REDIS_PORT: String(this.ports.redis),
    };
    const { stdout } = await run(file, [...prefix, '-p', this.project, '-f', COMPOSE_FILE, ...args], { env, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  }

  /** Containers of this stack that exited (a service that crashed at start, say). */
  async exited(): Promise<string[]> {
    const { stdout } = await run('docker', [
      'ps', '-a', '--filter', `label=com.docker.compose.project=${this.project}`, '--filter', 'status=exited', '--format', '{{.Names}}',
    ]);
    return stdout.split('\n').filter((name) => name.trim() !== '');
  }

  /**
   * Waits until the one origin answers /health/ready, failing at once when a container exited.
   * (A gateway is ready only once the engines it owns answer; compose starts the gateways after
   * auth, messaging, presence and files are healthy, and HAProxy after the gateways.)
   */
  async ready(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const ok = await fetch(`${this.origin}/health/ready`).then((answer) => answer.ok, () => false);
      if (ok) return;
      const exited = await this.exited();
      if (exited.length > 0) throw new Error(`containers exited: ${exited.join(', ')}`);
      if (Date.now() > deadline) throw new Error(`${this.origin}/health/ready did not answer 200 within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  }

  /** Container states and the last log lines of every service: what a failed start shows. */
  async diagnostics(): Promise<string> {
    const ps = await this.compose(['ps']).catch((error: unknown) => String(error));
    const logs = await this.compose(['logs', '--no-color', '--tail', '40']).catch((error: unknown) => String(error));
    return `${ps}\n${logs}`;
  }

  async down(): Promise<void> {
    await this.compose(['down', '-v', '--remove-orphans', '--timeout', '15']);
  }
}

/** `docker compose` (v2 plugin) where it exists, else `docker-compose`. */
async function composeCommand(): Promise<string[]> {
  try {
    await run('docker', ['compose', 'version']);
    return ['docker', 'compose'];
  } catch {
    await run('docker-compose', ['version']);
    return ['docker-compose'];
  }
}
