// One migrating instance at a time, cluster-wide: a lock row taken with a lightweight transaction
// (INSERT ... IF NOT EXISTS, Paxos at SERIAL consistency, so two instances in different
// datacenters cannot both win). The row has a TTL, renewed after every statement the holder
// runs: a holder that crashes frees the lock after one lease, and a holder that stalls longer
// than its lease learns it lost the lock at its next renewal and stops.
import { Logger } from '@nestjs/common';
import { type Client, types } from 'cassandra-driver';

const LOCK_ID = 'migrations';
const POLL_MS = 500;

export class MigrationLockLostError extends Error {
  constructor(owner: string) {
    super(`migration lock of ${owner} expired while it was migrating; another instance may have taken over`);
    this.name = 'MigrationLockLostError';
  }
}

export class MigrationLock {
  private readonly logger = new Logger('CassandraMigrations');
  private readonly table: string;

  constructor(
    private readonly client: Client,
    keyspace: string,
    private readonly owner: string,
    private readonly leaseSeconds: number,
  ) {
    this.table = `${keyspace}.schema_migrations_lock`;
  }

  static tableCql(keyspace: string): string {
    return `CREATE TABLE IF NOT EXISTS ${keyspace}.schema_migrations_lock (id text PRIMARY KEY, owner text, acquired_at timestamp)`;
  }

  async acquire(waitMs: number): Promise<void> {
    const deadline = Date.now() + waitMs;
    let reportedHolder: string | undefined;
    for (;;) {
      const result = await this.lwt(
        `INSERT INTO ${this.table} (id, owner, acquired_at) VALUES (?, ?, toTimestamp(now())) IF NOT EXISTS USING TTL ?`,
        [LOCK_ID, this.owner, this.leaseSeconds],
      );
      if (result.wasApplied()) return;
      const current = (result.first() as { owner?: string | null } | undefined)?.owner;
      const holder = current ?? 'an instance whose lease is expiring';
      if (holder !== reportedHolder) {
        this.logger.log(`waiting for ${holder} to finish migrating`);
        reportedHolder = holder;
      }
      if (Date.now() > deadline) throw new Error(`gave up waiting ${waitMs} ms for the migration lock held by ${holder}`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** Extends the lease; throws when the lock is no longer ours. */
  async renew(): Promise<void> {
    // Both cells are rewritten so that none of them outlives the other.
    const result = await this.lwt(`UPDATE ${this.table} USING TTL ? SET owner = ?, acquired_at = toTimestamp(now()) WHERE id = ? IF owner = ?`, [
      this.leaseSeconds,
      this.owner,
      LOCK_ID,
      this.owner,
    ]);
    if (!result.wasApplied()) throw new MigrationLockLostError(this.owner);
  }

  async release(): Promise<void> {
    await this.lwt(`DELETE FROM ${this.table} WHERE id = ? IF owner = ?`, [LOCK_ID, this.owner]);
  }

  private lwt(cql: string, params: unknown[]): Promise<types.ResultSet> {
    return this.client.execute(cql, params, {
      prepare: true,
      consistency: types.consistencies.quorum,
      serialConsistency: types.consistencies.serial,
    });
  }
}
