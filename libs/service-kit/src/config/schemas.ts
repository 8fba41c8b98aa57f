// Reusable variable schemas: each says precisely what it accepts, so the start-up message can too.
import { z } from 'zod';

const PORT_MESSAGE = 'must be a port number from 1 to 65535';
export const PortSchema = z.coerce.number({ error: PORT_MESSAGE }).int(PORT_MESSAGE).min(1, PORT_MESSAGE).max(65535, PORT_MESSAGE);

const HOST_PORT = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:]+\]):(\d{1,5})$/;

/** A comma-separated list of host:port, e.g. `127.0.0.1:9092,kafka-1:9092`. */
export const HostPortListSchema = z
  .string()
  .transform((s) => s.split(',').map((part) => part.trim()).filter(Boolean))
  .pipe(
    z
      .array(
        z.string().refine((hp) => {
          const match = HOST_PORT.exec(hp);
          return match !== null && Number(match[1]) >= 1 && Number(match[1]) <= 65535;
        }, 'must be a comma-separated list of host:port'),
      )
      .min(1, 'must name at least one host:port'),
  );

export const UrlSchema = (protocols: readonly string[]) =>
  z.url().refine((u) => protocols.includes(new URL(u).protocol.replace(/:$/, '')), `must be a ${protocols.join(' or ')} URL`);

export const LogLevelSchema = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

export const BooleanSchema = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Lower-case identifiers usable as Cassandra keyspace or PostgreSQL database names. */
export const IdentifierSchema = z.string().regex(/^[a-z][a-z0-9_]{0,47}$/, 'must be a lower-case identifier (a-z, 0-9, _)');

/** Variables every service reads. */
export const BaseConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: LogLevelSchema.default('info'),
  LOG_PRETTY: BooleanSchema.default(false),
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Distinguishes instances of one service (Kafka client ids, reply routing, logs). */
  INSTANCE_ID: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, ".", "_" or "-"').optional(),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
  /**
   * Port of the internal metrics server (GET /metrics), apart from the public PORT; 0 (default)
   * picks a free one and logs it. Kubernetes and compose set 9464.
   */
  METRICS_PORT: z.coerce.number({ error: 'must be a port number from 0 to 65535' }).int().min(0).max(65535).default(0),
});
export type BaseConfig = z.infer<typeof BaseConfigSchema>;
