// Test-only wiring for this library's integration specs (not exported): the local node, a
// readiness registry standing in for ServiceKitModule's, and a keyspace-less admin session for
// inspecting and dropping test keyspaces. Every client logs in as the local superuser (the specs
// create and drop keyspaces), or as CASSANDRA_USERNAME/PASSWORD.
import { join } from 'node:path';
import { Global, Module } from '@nestjs/common';
import { ReadinessRegistry } from '@chat/service-kit';
import { testCassandraLogin } from '@chat/testing/local-cassandra';
import { Client } from 'cassandra-driver';
import { type CassandraOptions } from '../cassandra.options';

/** `npm run infra:up` node unless CASSANDRA_CONTACT_POINTS says otherwise. */
export const TEST_CONTACT_POINTS = (process.env['CASSANDRA_CONTACT_POINTS'] ?? '127.0.0.1:9042').split(',').map((c) => c.trim());
export const TEST_LOCAL_DC = process.env['CASSANDRA_LOCAL_DC'] ?? 'datacenter1';
export const TEST_LOGIN = testCassandraLogin();
export const FIXTURE_MIGRATIONS = join(__dirname, 'fixtures', 'migrations');

@Global()
@Module({ providers: [ReadinessRegistry], exports: [ReadinessRegistry] })
export class TestReadinessModule {}

export function testOptions(keyspace: string, overrides: Partial<CassandraOptions> = {}): CassandraOptions {
  return {
    contactPoints: TEST_CONTACT_POINTS,
    localDataCenter: TEST_LOCAL_DC,
    keyspace,
    replication: { class: 'SimpleStrategy', replication_factor: 1 },
    migrationsDir: FIXTURE_MIGRATIONS,
    consistency: 'localQuorum',
    credentials: { ...TEST_LOGIN },
    ...overrides,
  };
}

export function adminSession(): Client {
  return new Client({ contactPoints: TEST_CONTACT_POINTS, localDataCenter: TEST_LOCAL_DC, credentials: { ...TEST_LOGIN } });
}
