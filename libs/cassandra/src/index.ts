// @chat/cassandra: the one place that talks to Cassandra (and the only importer of
// cassandra-driver): keyspace creation and numbered CQL migrations at start-up, a session that
// always prepares, named statements for repositories, and the `cassandra` readiness check.
export * from './cassandra.module';
export { type CassandraOptions, type Consistency, type ReplicationOptions } from './cassandra.options';
export { CassandraClient, type BatchEntry, type BatchOptions, type CqlParams, type CqlResult, type CqlRow, type ExecuteOptions } from './client/cassandra.client';
export { defineStatements, type CqlStatement, type StatementSpec } from './client/statements';
export { MigrationChecksumError, type MigrationReport } from './migrations/migration.runner';
export { MigrationLockLostError } from './migrations/migration.lock';
export { CqlSyntaxError } from './migrations/cql-splitter';
