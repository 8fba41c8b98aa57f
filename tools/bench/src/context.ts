// What every scenario gets: its options, a log line printer, a process sampler, and the system
// under test (started on first use, or the --target one) which the harness stops at the end.
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type BenchOptions } from './options';
import { type MonotonicWindow } from './report/profile-summary';
import { ProcessSampler } from './sampler';
import { StartedSystem, type SystemUnderTest, TargetSystem } from './system/system-under-test';

/** Now, in µs of the monotonic clock shared by every process of the machine. */
export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

export class BenchContext {
  private system: SystemUnderTest | undefined;
  private readonly cleanups: (() => Promise<void>)[] = [];
  /** The system's measuring windows, on the monotonic clock the services' CPU profiles use (µs). */
  readonly profileWindows: MonotonicWindow[] = [];

  constructor(readonly options: BenchOptions) {}

  log(line: string): void {
    process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  }

  async systemUnderTest(): Promise<SystemUnderTest> {
    if (this.system) return this.system;
    if (this.options.target) {
      this.system = new TargetSystem(this.options.target.replace(/\/$/, ''), 'chat_messaging');
    } else {
      const { gateways, messaging } = this.options;
      this.log(`starting auth, presence, ${messaging === 1 ? 'messaging' : `${messaging} messaging instances`} and ${gateways === 1 ? 'a gateway' : `${gateways} gateways`} on ${this.options.bus === 'rabbitmq' ? 'RabbitMQ' : 'Kafka'} (isolated run)…`);
      const started = Date.now();
      const profileDir = join(resolve(this.options.out), 'profiles');
      // Profiles of an earlier run into the same folder would be summarised as this run's.
      if (this.options.profile) await rm(profileDir, { recursive: true, force: true });
      const bus = this.options.bus === 'rabbitmq' ? 'rabbitmq' : 'kafka';
      this.system = await StartedSystem.start({
        gateways,
        messaging,
        bus,
        directHop: this.options.directHop,
        logDir: join(resolve(this.options.out), 'logs'),
        ...(this.options.profile ? { profileDir } : {}),
        // idle-sockets reads the gateway's heap after a forced GC through the inspector.
        inspectGateway: this.options.scenario === 'idle-sockets',
      });
      this.log(`system ready at ${this.system.origins.join(', ')} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    const system = this.system;
    this.cleanups.push(() => system.stop());
    return system;
  }

  /** A sampler tracking the services, the engines and any extra processes. */
  async sampler(extra: Record<string, number[]> = {}): Promise<ProcessSampler> {
    const sampler = new ProcessSampler(1_000);
    if (this.system) for (const [name, pid] of await this.system.servicePids()) sampler.track(name, [pid]);
    sampler.trackEngines();
    for (const [name, pids] of Object.entries(extra)) sampler.track(name, pids);
    return sampler;
  }

  onCleanup(cleanup: () => Promise<void>): void {
    this.cleanups.unshift(cleanup);
  }

  async cleanup(): Promise<void> {
    for (const cleanup of this.cleanups.splice(0)) {
      await cleanup().catch((error: unknown) => this.log(`clean-up failed: ${String(error)}`));
    }
  }
}
