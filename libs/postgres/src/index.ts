// @chat/postgres: a service's own PostgreSQL database: creation, numbered migrations, pool, readiness.
export * from './database';
export * from './migrations';
export * from './postgres.module';
