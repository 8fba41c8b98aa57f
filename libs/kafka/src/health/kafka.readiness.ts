// Readiness `kafka`: the cluster answers a metadata request within the readiness timeout, and
// every consumer of this process runs (none crashed and waiting for its restart).
// Liveness `kafka-consumers`: no consumer of this process crashed for good (its restarts spent,
// or a pipelined consumer, which is not restarted): only a new process brings it back.
//
// Recovery without a restart: a failed probe disconnects its admin client, so the next probe
// starts from a fresh connection (kafkajs would otherwise keep retrying a dead socket or stale
// broker list). Probes are single-flight: while one is pending, concurrent checks share it, so a
// hanging cluster never piles up connections.
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ReadinessRegistry, type ReadinessCheck, withTimeout } from '@chat/service-kit';
import { KafkaConsumerFactory } from '../consumer/kafka-consumer.factory';
import { KafkaClients } from '../kafka-clients';
import { KAFKA_OPTIONS, type ResolvedKafkaOptions } from '../kafka.options';

/** The part of a kafkajs admin client a probe needs. */
export interface ProbeAdmin {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  describeCluster(): Promise<unknown>;
}

export class ClusterProbe {
  private connected = false;
  private pending: Promise<void> | undefined;

  constructor(
    private readonly admin: ProbeAdmin,
    private readonly timeoutMs: number,
    private readonly label = 'kafka',
  ) {}

  check(): Promise<void> {
    this.pending ??= this.probe().finally(() => {
      this.pending = undefined;
    });
    return withTimeout(this.pending, this.timeoutMs, this.label);
  }

  async close(): Promise<void> {
    this.connected = false;
    await this.admin.disconnect();
  }

  private async probe(): Promise<void> {
    try {
      if (!this.connected) {
        await this.admin.connect();
        this.connected = true;
      }
      await this.admin.describeCluster();
    } catch (error) {
      this.connected = false;
      await this.admin.disconnect().catch(() => undefined);
      throw error;
    }
  }
}

@Injectable()
export class KafkaReadinessCheck implements ReadinessCheck, OnModuleInit, OnApplicationShutdown {
  readonly name = 'kafka';
  private readonly probe: ClusterProbe;

  constructor(
    clients: KafkaClients,
    @Inject(KAFKA_OPTIONS) options: ResolvedKafkaOptions,
    private readonly registry: ReadinessRegistry,
    private readonly consumers: KafkaConsumerFactory,
  ) {
    this.probe = new ClusterProbe(clients.probe.admin(), options.readinessTimeoutMs);
  }

  onModuleInit(): void {
    this.registry.register(this);
    this.registry.registerLiveness({
      name: 'kafka-consumers',
      check: () => {
        const dead = this.consumers.deadGroups();
        return dead.length > 0 ? Promise.reject(new Error(`consumer group(s) ${dead.join(', ')} cannot be restarted`)) : Promise.resolve();
      },
    });
  }

  async check(): Promise<void> {
    const crashed = this.consumers.crashedGroups();
    if (crashed.length > 0) throw new Error(`consumer group(s) ${crashed.join(', ')} not running`);
    await this.probe.check();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.probe.close();
  }
}
