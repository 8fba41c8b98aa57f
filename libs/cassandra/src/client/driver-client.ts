// Builds cassandra-driver clients the same way for migrations and for the service: consistency
// defaults, quick reconnection (the driver's default backs off up to 10 minutes, which would keep
// a service unready long after Cassandra is back), and driver warnings routed to the Nest logger.
import { Logger } from '@nestjs/common';
import { Client, policies, types } from 'cassandra-driver';
import { type Consistency, type ResolvedCassandraOptions } from '../cassandra.options';

const RECONNECT_BASE_MS = 500;
const RECONNECT_MAX_MS = 5_000;

export function consistencyCode(consistency: Consistency): types.consistencies {
  return types.consistencies[consistency];
}

export function createDriverClient(options: ResolvedCassandraOptions, keyspace?: string): Client {
  const client = new Client({
    contactPoints: options.contactPoints,
    localDataCenter: options.localDataCenter,
    ...(keyspace ? { keyspace } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.applicationName ? { applicationName: options.applicationName } : {}),
    policies: { reconnection: new policies.reconnection.ExponentialReconnectionPolicy(RECONNECT_BASE_MS, RECONNECT_MAX_MS, false) },
    queryOptions: {
      consistency: consistencyCode(options.consistency),
      serialConsistency: types.consistencies.localSerial,
      prepare: true,
    },
    socketOptions: { connectTimeout: 5_000, readTimeout: options.requestTimeoutMs },
    // bigint columns as native bigint (never a lossy number); an undefined parameter leaves the column unset.
    encoding: { useBigIntAsLong: true, useUndefinedAsUnset: true },
    protocolOptions: { maxSchemaAgreementWaitSeconds: Math.ceil(options.schemaAgreementTimeoutMs / 1_000) },
  });
  const logger = new Logger('cassandra-driver');
  client.on('log', (level: string, source: string, message: string) => {
    if (level === 'error') logger.error({ source }, message);
    else if (level === 'warning') logger.warn({ source }, message);
  });
  return client;
}

/** The part of a driver Host that releases its connection pool (internal in the driver's typings). */
interface ClosableHost {
  readonly address: string;
  shutdown(waitForPending: boolean): Promise<void>;
}

/**
 * Connects, then works around a driver 4.10 leak: when every node was unreachable, the control
 * connection re-initialises (NODEJS-632 path) and replaces each Host by a new object for the same
 * address without closing the old one's pool, whose reconnection timers and sockets then live on
 * (one more per outage, and they keep a test process from exiting). A host replaced that way is
 * drained and closed here. Hosts the driver removes for good it closes itself.
 */
export async function connectDriver(client: Client): Promise<void> {
  await client.connect();
  client.hosts.on('remove', (removed: ClosableHost) => {
    const current = client.hosts.get(removed.address) as unknown;
    if (current !== undefined && current !== removed) void removed.shutdown(true).catch(() => undefined);
  });
}

/** `metadata.checkSchemaAgreement` exists in the driver but is missing from its type declarations. */
interface SchemaAgreement {
  checkSchemaAgreement(): Promise<boolean>;
}

/** Waits until every reachable node reports the same schema version. */
export async function waitForSchemaAgreement(client: Client, timeoutMs: number): Promise<void> {
  const metadata = client.metadata as unknown as SchemaAgreement;
  const deadline = Date.now() + timeoutMs;
  while (!(await metadata.checkSchemaAgreement())) {
    if (Date.now() > deadline) throw new Error(`the Cassandra nodes did not agree on the schema within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
