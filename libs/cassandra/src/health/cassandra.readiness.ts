// Readiness `cassandra`: the local node answers a trivial query within the readiness timeout.
// When every node is down the driver fails such a query at once (NoHostAvailable) and keeps
// reconnecting in the background (500 ms to 5 s apart), so the check turns green again by itself.
// Single-flight: while a probe is pending, concurrent checks share it, so an unreachable node
// (where finding a connection may take the connect timeout) never piles up requests.
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { ReadinessRegistry, type ReadinessCheck, withTimeout } from '@chat/service-kit';
import { CASSANDRA_OPTIONS, type ResolvedCassandraOptions } from '../cassandra.options';
import { CassandraClient } from '../client/cassandra.client';
import { defineStatements } from '../client/statements';

const statements = defineStatements({ ping: 'SELECT now() FROM system.local' });

@Injectable()
export class CassandraReadinessCheck implements ReadinessCheck, OnModuleInit {
  readonly name = 'cassandra';
  private pending: Promise<unknown> | undefined;

  constructor(
    private readonly client: CassandraClient,
    private readonly registry: ReadinessRegistry,
    @Inject(CASSANDRA_OPTIONS) private readonly options: ResolvedCassandraOptions,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async check(): Promise<void> {
    const timeout = this.options.readinessTimeoutMs;
    this.pending ??= this.client.execute(statements.ping, [], { consistency: 'localOne', readTimeoutMs: timeout }).finally(() => {
      this.pending = undefined;
    });
    await withTimeout(this.pending, timeout, 'cassandra');
  }
}
